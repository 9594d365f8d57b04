# Helpers of the HTML report (`snakemake --report results/report.html`): they mark outputs of the
# stage rules as report items (category = stage, subcategory = fit group, labels = item, model,
# swept values, seed, caption = workflow/report/<name>.rst). Included right after common.smk,
# since the stage rules call report_files() and report_file() in their outputs; the report's own
# rules are in report.smk.
import os

from snakemake.io import report as report_item  # `report` starts a directive here

# Categories (menu order) of the report: one per stage; subcategories are fit groups.
REPORT_CATEGORIES = {
    "overview": "1 Overview",
    "fits": "2 Fits",
    "compare": "3 NN vs poly",
    "pca": "4 PCA",
    "sweeps": "5 Sweeps",
    "recovery": "6 Scaling-law recovery",
}
ALL_GROUPS = "all groups"  # subcategory of items that show every group
MODEL_NAMES = {"nn": "NN", "poly": "poly"}
KEY_LABELS = {"Ka": "Ka (K)", "Kb": "Kb (K)", "noise": "noise (sd of ln D)"}
# Keys with more than one value in this config: only they get a label column.
SWEPT_KEYS = {
    key
    for space in [SCENARIOS, *HYPERS.values()]
    for key in space.dataframe.columns
    if space.dataframe[key].nunique() > 1
}


def _swept_values(folders):
    """Labels of the swept values among ``key~value/...`` folders, e.g. {"Ka (K)": "140"}."""
    labels = {}
    for part in folders.split("/"):
        key, _, value = part.partition("~")
        if key in SWEPT_KEYS:
            try:
                value = f"{float(value):g}"
            except ValueError:
                pass
            labels[KEY_LABELS.get(key, key)] = value
    return labels


def item_labels(item, path=None):
    """Labels of a report item: what it is, the model, the swept values and the seed.

    Values come from the job's wildcards; group and seed expanded into a batch output ``path``
    (``.../<group>/seed~<seed>/<file>``) come from the path.
    """

    def labels(wildcards):
        values = dict(wildcards.items())
        seed_dir = os.path.basename(os.path.dirname(path or ""))
        if seed_dir.startswith("seed~"):
            values.update(group=group_of(path), seed=seed_dir.removeprefix("seed~"))
        result = {"item": item}
        if "model" in values:
            result["model"] = MODEL_NAMES.get(values["model"], values["model"])
        for name in ("scenario", "hyper", "nn_hyper", "poly_hyper"):
            if name in values:
                result.update(_swept_values(values[name]))
        if "seed" in values:
            result["seed"] = str(values["seed"])
        return result

    return labels


def group_of(path):
    """Fit group of a per-fit output (``.../<group>/seed~<seed>/<file>``), of a per-group file
    named after its group (``.../<group>.<ext>``) or of a per-group folder (``.../<group>/<file>``).
    """
    parts = path.split("/")
    if len(parts) > 2 and parts[-2].startswith("seed~"):
        return parts[-3]
    stem = os.path.splitext(parts[-1])[0]
    return stem if stem in GROUPS else parts[-2]


def report_files(paths, caption, category, item):
    """Mark each file of a batch output (one per group and seed) as a report item: its group
    is the subcategory, its labels those of item_labels()."""
    return [
        report_item(
            path,
            caption=f"../report/{caption}",
            category=REPORT_CATEGORIES[category],
            subcategory=group_of(path),
            labels=item_labels(item, path),
        )
        for path in paths
    ]


def report_file(path, caption, category, item, subcategory="{group}"):
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
