# Helpers of the HTML report (`snakemake --report results/report.html`): they mark outputs of the
# stage rules as report items (category = stage, subcategory = fit group, labels = item, model,
# swept values, fold, seed, caption = workflow/report/<name>.rst). Included right after
# common.smk, since the stage rules call these in their outputs; the report's own rules are in
# report.smk.
from snakemake.io import report as report_item  # `report` starts a directive here

from contrastive_gs.families import family

# Categories (menu order) of the report: one per stage; subcategories are fit groups.
REPORT_CATEGORIES = {
    "overview": "1 Overview",
    "fits": "2 Fits",
    "compare": "3 " + " vs ".join(family(model).label for model in config["compare"]),
    "pca": "4 PCA",
    "sweeps": "5 Sweeps",
    "recovery": "6 Scaling-law recovery",
    "prediction": "7 Prediction of D",
    "run": "8 Cost and provenance of the run",
}
ALL_GROUPS = "all groups"  # subcategory of items that show every group
KEY_LABELS = {
    **{p.name: f"{p.name} ({p.unit})" for p in LAW.parameters},
    cgs_config.NOISE_KEY: "noise (sd of ln D)",
}
# Keys with more than one value in this config: only they get a label column.
SWEPT_KEYS = {
    key
    for table in [pd.DataFrame(SCENARIO_TABLE), *(h.dataframe for h in HYPERS.values())]
    for key in table.columns
    if table[key].nunique() > 1
}
FOLD_LABEL = len(FOLDS) > 1  # a fold label only where there is more than one fold


def _swept_values(folders):
    """Labels of the swept values among ``key~value/...`` folders, e.g. {"Ka (K)": "140"}."""
    labels = {}
    for key, value in layout.key_values(folders).items():
        if key in SWEPT_KEYS:
            labels[KEY_LABELS.get(key, key)] = (
                f"{value:g}" if isinstance(value, float) else str(value)
            )
    return labels


def item_labels(item, fit=None):
    """Labels of a report item: what it is, the model, the swept values, the fold and the seed.

    Values come from the job's wildcards, and from ``fit`` ([group, fold, seed]) for a file of
    a batch output.
    """

    def labels(wildcards):
        values = dict(wildcards.items())
        if fit is not None:
            values.update(zip(("group", "fold", "seed"), fit))
        result = {"item": item}
        for name in ("model", "model_a"):
            if name in values:
                result["model"] = " vs ".join(
                    family(values[key]).label
                    for key in (name, "model_b")
                    if key in values
                )
        for name in ("scenario", "hyper", "hyper_a", "hyper_b"):
            if name in values:
                result.update(_swept_values(values[name]))
        if FOLD_LABEL and "fold" in values:
            result["fold"] = str(values["fold"])
        if "seed" in values:
            result["seed"] = str(values["seed"])
        return result

    return labels


def report_fit_files(directory, filename, caption, category, item, fits=FIGURE_FITS):
    """One report item per fit of a batch output: its group is the subcategory."""
    return [
        report_item(
            path,
            caption=f"../report/{caption}",
            category=REPORT_CATEGORIES[category],
            subcategory=fit[0],
            labels=item_labels(item, fit),
        )
        for fit, path in zip(fits, per_fit(directory, filename, fits))
    ]


def report_group_files(pattern, groups, caption, category, item):
    """One report item per group of a batch output (``pattern`` has a {group} wildcard)."""
    return [
        report_item(
            fill(pattern, group=group),
            caption=f"../report/{caption}",
            category=REPORT_CATEGORIES[category],
            subcategory=group,
            labels=item_labels(item),
        )
        for group in groups
    ]


def report_file(path, caption, category, item, subcategory=ALL_GROUPS):
    """Mark one output (one per job) as a report item."""
    return report_item(
        path,
        caption=f"../report/{caption}",
        category=REPORT_CATEGORIES[category],
        subcategory=subcategory,
        labels=item_labels(item),
    )


def report_targets():
    """The overview and the HTML version of every CSV table that gets figures."""
    tables = [
        re.sub(r"\.csv$", ".html", path)
        for path in figure_targets()
        if path.endswith(".csv")
    ]
    return [*rules.overview.output, *tables]
