"""The steps of the workflow, one function per rule: read, compute, write.

Scripts under ``scripts/`` call these with the paths and params Snakemake gives them; a batch
rule passes the identities of its fits (``(group, fold, seed)``, in the order of its per-fit
files) as params, so no step parses a path of its own outputs.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from contrastive_gs import (
    aggregation,
    benchmarks,
    diagnostics,
    fit,
    io,
    layout,
    prediction,
    provenance,
    recovery,
    symbolic,
    tables,
)  # fmt: skip
from contrastive_gs.families import Family, FittedModel, NotIdentifiable, family
from contrastive_gs.laws import ESTIMATED, Law
from contrastive_gs.pairs import FEATURES, POOLED, TARGET, select_group, select_points
from contrastive_gs.polymers import Polymer
from contrastive_gs.settings import compose

log = logging.getLogger(__name__)


class _ImportedOnUse:
    """Stands for module ``name`` and imports it at the first attribute asked of it.

    Not a module in ``sys.modules`` (as ``importlib.util.LazyLoader``'s would be), so that no
    scan of the loaded modules imports it by probing it: importing torch runs such a scan.
    """

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


# matplotlib costs a job ~0.7 s to import: only the jobs that draw pay for it.
plots = _ImportedOnUse("contrastive_gs.plots")
Fits = Sequence[Sequence[Any]]  # (group, fold, seed) of each per-fit file, in file order


def per_fit_files(files: Mapping[str, Sequence[str]], fits: Fits) -> dict[tuple, dict[str, str]]:
    """``{(group, fold, seed): {name: path}}`` of named per-fit file lists, each in ``fits``
    order."""
    paths: dict[tuple, dict[str, str]] = {tuple(f): {} for f in fits}
    for name, names_files in files.items():
        for identity, path in layout.per_fit(list(names_files), fits).items():
            paths[identity][name] = path
    return paths


def make_points(
    data: Mapping[str, Any], law: Law, predict: Mapping[str, Any], outputs: Mapping[str, str]
) -> None:
    """The points of one scenario (simulated on the grid, or measured), the spread of their
    replicates, and the query points of the predict section (an empty table without)."""
    from contrastive_gs import config as config_module
    from contrastive_gs import data as data_module

    polymers = [] if data["source"] == "file" else config_module.resolve_polymers(data["polymers"])
    points = data_module.load_points(data, polymers, law)
    log.info(
        "%d points of %d polymers (%s)", len(points), points["Polymer"].nunique(), data["source"]
    )
    io.write_parquet(points, outputs["points"])
    spread = data_module.replicate_spread(points)
    if len(spread):
        log.info("replicates: %d conditions, sd of log10 D up to %.3g", len(spread),
                 spread["sd_log10D"].max())  # fmt: skip
    io.write_csv(spread, outputs["replicates"])
    queries = points.iloc[:0]
    if predict["path"]:
        queries = data_module.read_query_file(
            predict["path"], predict["columns"], predict["T_unit"], points
        )
    io.write_parquet(queries, outputs["queries"])


def make_pairs(
    points_path: str,
    pair_settings: Mapping[str, Any],
    split_settings: Mapping[str, Any],
    outputs: Mapping[str, Sequence[str]],
) -> None:
    """The pair table of each fold of the split, its counts, and the side of every point."""
    from contrastive_gs import pairs as pairs_module
    from contrastive_gs.splits import split_from_config

    points = io.read_parquet(points_path)
    settings = pairs_module.PairSettings(**pair_settings)
    split = split_from_config(split_settings)
    summaries = pairs_module.write_pairs(points, settings, split, outputs["pairs"])
    sides = pairs_module.fold_sides(points, settings.scope, split)
    for summary, side, summary_path, sides_path in zip(
        summaries, sides, outputs["summary"], outputs["sides"], strict=True
    ):
        io.write_json({**summary, "test_points": int((side == "test").sum())}, summary_path)
        io.write_parquet(pd.DataFrame({"point": np.arange(len(side)), "side": side}), sides_path)


def group_truth(
    law: Law, truth: Mapping[str, float | None], polymers: Sequence[Polymer]
) -> dict[str, float]:
    """The law's true parameters for a group of ``polymers`` (:meth:`Law.group_truth`); none
    where the truth is unknown (measured data)."""
    if not any(value is not None for value in truth.values()):
        return {}
    return law.group_truth(truth, polymers)


# The per-fit outputs of fit_point, by name (the arguments of io.write_fit).
FIT_OUTPUTS = ("metrics", "predictions", "model", "alpha", "scaling_law", "points")


def fit_point(
    points_path: str,
    folds: Mapping[int, tuple[str, str]],
    model: Family,
    fits: Fits,
    outputs: Mapping[str, Sequence[str]],
    truth: Mapping[str, float | None],
    polymers: Sequence[Polymer],
    queries_path: str | None = None,
    threads: int = 1,
    device: str | None = "cpu",
) -> dict[tuple, pd.DataFrame]:
    """Fit ``model`` to every group, fold and seed of ``fits`` (a torch model on ``threads``
    threads and the device entry ``device``); per fit, write its metrics,
    pair predictions, model, the alpha it implies at every point of its group, the law (fitted
    to that alpha, or the fit's own), and the anchored predictions of ln D at the group's points
    and query points.  Returns those point predictions, by ``(group, fold, seed)``.

    ``folds``: per fold, the paths of its pair table, of its points' sides and of its pair
    summary; ``truth``: the scenario's parameters of the law (None where unknown).
    """
    points = io.read_parquet(points_path)
    queries = io.read_parquet(queries_path) if queries_path else points.iloc[:0]
    with_queries = pd.concat([points, queries], ignore_index=True)
    point_sides = {
        fold: io.read_parquet(sides_path)["side"].to_numpy()
        for fold, (_, sides_path, _) in folds.items()
    }
    fold_pairs = {}
    for fold, (pairs_path, _, summary_path) in folds.items():
        summary = io.read_json(summary_path)
        all_pairs = summary.get("all_pairs", False)
        fold_pairs[fold] = fit.FoldPairs(
            io.read_parquet(pairs_path), point_sides[fold] if all_pairs else None, summary["scope"]
        )
    sides_of_fold = {
        fold: np.concatenate([sides, np.full(len(queries), "query")])
        for fold, sides in point_sides.items()
    }
    groups = list(dict.fromkeys(group for group, _, _ in fits))
    seeds = list(dict.fromkeys(seed for _, _, seed in fits))
    out = per_fit_files(outputs, fits)
    results = fit.fit_batch(model, points, fold_pairs, groups, seeds, threads, device)
    point_tables = {}
    for group, fold, seed, result in results:
        group_points = select_points(points, group)
        sides = sides_of_fold[fold]
        train_points = group_points[sides[: len(points)][group_points.index] == "train"]
        statuses = model.identifiability(train_points)
        alpha = result.model.alpha(group_points)
        if isinstance(alpha, NotIdentifiable):
            log.info("%s fold=%d seed=%d alpha not recorded: %s", group, fold, seed, alpha)
            alpha = np.nan
        elif not statuses["alpha"].startswith(ESTIMATED):
            alpha = np.nan
        alpha_table = recovery.alpha_frame(group_points, alpha, fold=fold, seed=seed)
        names = set(group_points["Polymer"])
        known = group_truth(model.law, truth, [p for p in polymers if p.name in names])
        own_fit = result.model.law_fit() if hasattr(result.model, "law_fit") else None
        law = recovery.fit_record(alpha_table, known, model.law, statuses, own_fit)
        log.info("%s fold=%d seed=%d scaling law: %s", group, fold, seed, law["law"]["estimates"])
        in_group = select_points(with_queries, group).index.to_numpy()
        predicted = prediction.point_predictions(
            result.model, with_queries.iloc[in_group].reset_index(drop=True), sides[in_group],
            seed, model.resamples, rows=in_group,
        )  # fmt: skip
        predicted["point"] = in_group[predicted["point"].to_numpy()]
        predicted = predicted.assign(fold=fold, seed=seed)
        io.write_fit(result, alpha_table, law, predicted, **out[group, fold, seed])
        point_tables[group, fold, seed] = predicted
    return {tuple(identity): point_tables[tuple(identity)] for identity in fits}  # in file order


def write_diagnostic_tables(
    metrics: pd.DataFrame, lecture_name: str, outputs: Mapping[str, str], subtitle: str
) -> None:
    """The lecture's diagnostics table of ``metrics`` (named ``lecture_name``) and its
    Shapiro-Wilk table, each as CSV (``outputs[name]``) and as an HTML page for the report
    (``outputs[name + "_html"]``, made from the CSV, with the title and note of its kind)."""
    frames = {
        lecture_name: diagnostics.lecture_table(metrics),
        "shapiro": diagnostics.shapiro_table(metrics),
    }
    for name, frame in frames.items():
        io.write_csv(frame, outputs[name])
        tables.write_table_html(
            outputs[name], outputs[f"{name}_html"], kind=name, subtitle=subtitle
        )


def diagnose_fit(
    model: str,
    title: str,
    inputs: Mapping[str, str],
    outputs: Mapping[str, str],
    subtitle: str = "",
) -> None:
    """Figures and tables of one fit: predicted vs true, residual histogram, residuals vs
    predicted, QQ plot, the lecture's diagnostics table and Shapiro-Wilk table (CSV, and HTML
    pages with ``subtitle``)."""
    label = family(model).label
    predictions = io.read_parquet(inputs["predictions"])
    metrics = diagnostics.metrics_frame({label: io.read_json(inputs["metrics"])})
    io.save_figure(
        plots.predicted_vs_true(predictions, f"{label}, {title}"), outputs["predicted_vs_true"]
    )
    by_model = {label: predictions}
    io.save_figure(plots.residual_histogram(by_model, title), outputs["hist"])
    io.save_figure(plots.residuals_vs_predicted(by_model, title), outputs["residuals_vs_predicted"])
    io.save_figure(plots.qq_plots(by_model, title), outputs["qq"])
    write_diagnostic_tables(metrics, "residual_stats", outputs, subtitle)
    log.info("diagnosed %s", title)


def _fit_subtitle(point: str, group: str, fold: int, seed: int) -> str:
    """The subtitle of a fit's table pages: its point (scenario, model, hyper), group, fold and
    seed."""
    return f"{point}, group {group}, fold {fold}, seed {seed}"


# The per-fit outputs of diagnose_fit, by name.
DIAGNOSE_OUTPUTS = (
    "predicted_vs_true", "hist", "residuals_vs_predicted", "qq",
    "residual_stats", "shapiro", "residual_stats_html", "shapiro_html",
)  # fmt: skip


def diagnose_fits(model: str, hyper: str, inputs, outputs, fits: Fits, point: str = "") -> None:
    """:func:`diagnose_fit` for each fit of a batch (``inputs``, ``outputs``: named per-fit file
    lists in ``fits`` order) of the point ``point`` (scenario, model, hyper, for the tables)."""
    inputs = per_fit_files(inputs, fits)
    for identity, fit_outputs in per_fit_files(outputs, fits).items():
        group, fold, seed = identity
        title = f"{hyper}, {group}, fold {fold}, seed {seed}"
        subtitle = _fit_subtitle(point, group, fold, seed)
        diagnose_fit(model, title, inputs[identity], fit_outputs, subtitle)


def compare_models(
    predictions_files: Mapping[str, str],
    metrics_files: Mapping[str, str],
    title: str,
    outputs: Mapping[str, str],
    subtitle: str = "",
) -> None:
    """The lecture's side-by-side diagnostics of two models on the same pairs (its NN vs poly);
    ``predictions_files``, ``metrics_files``: per model name, in the order (x, y) to draw; its
    tables as CSV and HTML pages with ``subtitle``."""
    labels = {model: family(model).label for model in predictions_files}
    predictions = {labels[m]: io.read_parquet(path) for m, path in predictions_files.items()}
    metrics = diagnostics.metrics_frame(
        {labels[m]: io.read_json(path) for m, path in metrics_files.items()}
    )
    write_diagnostic_tables(metrics, "diagnostics", outputs, subtitle)
    io.save_figure(plots.residual_histogram(predictions, title), outputs["hist"])
    io.save_figure(
        plots.residuals_vs_predicted(predictions, title), outputs["residuals_vs_predicted"]
    )
    io.save_figure(plots.qq_plots(predictions, title), outputs["qq"])
    (x_label, x), (y_label, y) = predictions.items()
    io.save_figure(plots.model_vs_model(x, y, x_label, y_label), outputs["model_vs_model"])


def compare_fits(
    models: Sequence[str], hypers: str, inputs, outputs, fits: Fits, point: str = ""
) -> None:
    """:func:`compare_models` for each fit of a batch; ``inputs`` named ``<a|b>_<file>``;
    ``point``: the scenario and both models' points, for the tables."""
    inputs = per_fit_files(inputs, fits)
    for identity, fit_outputs in per_fit_files(outputs, fits).items():
        group, fold, seed = identity
        files = inputs[identity]
        compare_models(
            {model: files[f"{side}_predictions"] for side, model in zip("ab", models, strict=True)},
            {model: files[f"{side}_metrics"] for side, model in zip("ab", models, strict=True)},
            f"{hypers}, {group}, fold {fold}, seed {seed}",
            fit_outputs,
            _fit_subtitle(point, group, fold, seed),
        )


def pca_figures(pairs_path: str, groups: Sequence[str], outputs: Sequence[str]) -> None:
    """PCA of the standardised contrastive features of each group (lecture figure 8)."""
    pairs = io.read_parquet(pairs_path, columns=["Polymer_i", "Polymer_j", *FEATURES])
    for group, path in zip(groups, outputs, strict=True):
        projection, explained = diagnostics.pca_projection(
            select_group(pairs, group)[FEATURES].to_numpy()
        )
        io.save_figure(plots.pca_scatter(projection, explained, group), path)


def pcoa_figures(
    pairs_path: str, groups: Sequence[str], max_pairs: int, seed: int, outputs: Sequence[str]
) -> None:
    """PCoA of ln(1 + distance) between the standardised contrastive features of at most
    ``max_pairs`` pairs of each group (a seeded draw), coloured by their logD_ratio."""
    pairs = io.read_parquet(pairs_path, columns=["Polymer_i", "Polymer_j", *FEATURES, TARGET])
    for group, path in zip(groups, outputs, strict=True):
        rows = select_group(pairs, group)
        ordination = diagnostics.pcoa_projection(rows[FEATURES].to_numpy(), max_pairs, seed)
        log.info(
            "%s: PCoA of %d of %d pairs, axes %s %% of the positive eigenvalues, negative ones "
            "%.3g %%", group, len(ordination.rows), ordination.n_rows,
            np.round(ordination.explained_pct, 1), ordination.negative_pct,
        )  # fmt: skip
        target = rows[TARGET].to_numpy()[ordination.rows]
        io.save_figure(plots.pcoa_scatter(ordination, target, group), path)


def fit_label(fold: int, seed: int, folds: int) -> str:
    """A fit's name in a legend: its seed, and its fold where there are several."""
    return f"fold {fold}, seed {seed}" if folds > 1 else f"seed {seed}"


def symbolic_group(
    alpha_tables: Mapping[tuple, pd.DataFrame],
    model_files: Mapping[tuple, str] | None,
    settings: symbolic.RecoverySettings,
    truth: Mapping[str, float],
    label: str,
) -> pd.DataFrame:
    """One row per fit of a group (``alpha_tables``: its alpha table per (group, fold, seed)):
    its identity, the :class:`contrastive_gs.symbolic.LawRecovery` of its alpha (the fit's seed
    seeds the search), the model's own expression (``model_``: where ``model_files`` are given,
    for a family whose fits are expressions) and the truth (``<name>_true``)."""
    rows = []
    for identity, alpha_table in alpha_tables.items():
        group, fold, seed = identity
        found = symbolic.recover_law(alpha_table, settings, seed)
        log.info("%s fold=%d seed=%d: %s%s (search %.2f s)", label, fold, seed,
                 found.expression or found.reason,
                 " [the law's form]" if found.form_matched else "", found.seconds)  # fmt: skip
        row = {"group": group, "fold": fold, "seed": seed, **found.as_row()}
        if model_files is not None:
            own = FittedModel.load(model_files[identity]).closed_form() or {}
            row.update({f"model_{key}": value for key, value in own.items()})
        rows.append({**row, **{f"{name}_true": value for name, value in truth.items()}})
    return pd.DataFrame(rows)


def symbolic_figure(
    table: pd.DataFrame,
    alpha_tables: Mapping[tuple, pd.DataFrame],
    law: Law,
    truth: Mapping[str, float | None],
    polymers: Sequence[Polymer],
    title: str,
):
    """alpha against T - Tg for the fits of one group (their :func:`symbolic_group` rows and
    alpha tables, in the same order), the expression each found, and the true law for each of
    the group's ``polymers``."""
    folds = table["fold"].nunique()
    points, curves, ranges = [], {}, {}
    for row, alpha_table in zip(table.itertuples(), alpha_tables.values(), strict=True):
        for polymer, rows in alpha_table.groupby("Polymer", sort=False):
            ranges[polymer] = (rows["T_minus_Tg"].min(), rows["T_minus_Tg"].max())
        if not row.expression:
            continue
        name = fit_label(row.fold, row.seed, folds)
        x, alpha = symbolic.alpha_points(alpha_table)
        points.append(pd.DataFrame({"fit": name, "T_minus_Tg": x, "alpha": alpha}))
        grid = np.linspace(x.min(), x.max(), 300)
        found = " (the law's form)" if row.form_matched else ""
        label = f"{name}: {row.expression}{found}"
        curves[name] = (grid, symbolic.curve(row.expression, grid), label)
    if not points:
        return plots.message_figure(f"{title}: no symbolic regression ({table['reason'].iloc[0]})")
    true_curves = truth_curves(law, truth, polymers, ranges)
    return plots.symbolic_alpha_figure(pd.concat(points), curves, true_curves, title)


def symbolic_fits(
    files: Mapping[str, Sequence[str]],
    fits: Fits,
    groups: Sequence[str],
    model: str,
    settings: Mapping[str, Any],
    law: Law,
    truth: Mapping[str, float | None],
    polymers: Sequence[Polymer],
    title: str,
    outputs: Mapping[str, Sequence[str]],
) -> None:
    """Per group of one (scenario, model, hyper) point: the closed form of alpha(T - Tg) that
    symbolic regression finds for each fit, compared with the law's form, as a table (CSV and
    HTML) and a figure of alpha with the expressions found.

    ``files``: per-fit ``alpha`` tables and ``model`` files in ``fits`` order (the models are
    read for a family whose fits are expressions); ``settings``: the symbolic section's search
    keys and ``snap``; ``truth``: the scenario's parameters of the law (None where unknown);
    ``outputs``: ``table``, ``html`` and ``figure``, one per group in ``groups`` order.
    """
    recovery_settings = compose(symbolic.RecoverySettings, settings)
    paths = per_fit_files(files, fits)
    expresses = family(model).has_closed_form
    for k, group in enumerate(groups):
        alpha_tables = {
            fit: io.read_parquet(names["alpha"]) for fit, names in paths.items() if fit[0] == group
        }
        model_files = (
            {fit: names["model"] for fit, names in paths.items() if fit[0] == group}
            if expresses
            else None
        )
        members = [p for p in polymers if group in (POOLED, p.name)]
        known = group_truth(law, truth, members)
        table = symbolic_group(
            alpha_tables, model_files, recovery_settings, known, f"{title} {group}"
        )
        io.write_csv(table, outputs["table"][k])
        summary = symbolic.describe_summary(symbolic.seed_summary(table, known))
        tables.write_frame_html(
            table, outputs["html"][k], kind="symbolic", subtitle=f"{title}, {group}: {summary}"
        )
        figure = symbolic_figure(table, alpha_tables, law, truth, members, f"{title}, {group}")
        io.save_figure(figure, outputs["figure"][k])


def write_symbolic_tables(files: Sequence[str], outputs: Mapping[str, str]) -> None:
    """Every symbolic fit of the run in one tidy table (Parquet and CSV), and per group how
    often the law's form was found, with the mean Ka, Kb where found and their errors (CSV and
    HTML)."""
    fits, groups = aggregation.symbolic_tables(files)
    io.write_parquet(fits, outputs["parquet"])
    io.write_csv(fits, outputs["csv"])
    io.write_csv(groups, outputs["summary"])
    tables.write_frame_html(groups, outputs["html"], kind="symbolic_summary")


def write_summary_tables(metrics_files: Sequence[str], outputs: Mapping[str, str]) -> None:
    """Every fit's metrics in one tidy table (Parquet and CSV), and mean +- sd over seeds."""
    metrics = aggregation.metrics_table(metrics_files)
    io.write_parquet(metrics, outputs["metrics_parquet"])
    io.write_csv(metrics, outputs["metrics_csv"])
    io.write_csv(aggregation.seed_summary(metrics), outputs["summary"])


def write_recovery_tables(law_files: Sequence[str], outputs: Mapping[str, str]) -> None:
    """Every recovered scaling law in one tidy table (Parquet and CSV)."""
    table = aggregation.recovery_table(law_files)
    io.write_parquet(table, outputs["parquet"])
    io.write_csv(table, outputs["csv"])


def sweep_figures(
    metrics_path: str,
    point: Mapping[str, Mapping[str, Any]],
    groups: Sequence[str],
    models: Sequence[str],
    outputs: Mapping[str, str],
) -> None:
    """Test R2 against width and against noise (per group), and over Ka x Kb (pooled, per model),
    each at the reference ``point`` of the other swept keys."""
    metrics = io.read_parquet(metrics_path)
    for key, label in (
        ("width", "network width (neurons per hidden layer)"),
        ("noise", "noise sd on ln D"),
    ):
        if key in metrics:
            rows = aggregation.at_point(metrics, point, [key])
            figure = plots.r2_against(rows, key, label, groups)
        else:
            figure = plots.message_figure(f"test R2 against {label}: no {key} in this run")
        io.save_figure(figure, outputs[f"r2_vs_{key}"])
    if {"Ka", "Kb"} <= set(metrics.columns):
        pooled = aggregation.at_point(metrics, point, ["Ka", "Kb"])
        pooled = pooled[pooled["group"] == groups[0]]
        figure = plots.r2_heatmap(pooled, "Ka", "Kb", models)
    else:
        figure = plots.message_figure("test R2 over Ka x Kb: the data have no swept Ka, Kb")
    io.save_figure(figure, outputs["r2_heatmap_Ka_Kb"])


def _number(value: float, unit: str) -> str:
    return f"{value:g}" + ("" if unit == "-" else f" {unit}")


def truth_curves(
    law: Law, truth: Mapping[str, float | None], polymers: Sequence[Polymer], dT_range
) -> dict[str, tuple[np.ndarray, np.ndarray, str]] | None:
    """Per polymer, the true alpha on a grid of ``T - Tg`` over ``dT_range[polymer]`` (K) with
    its legend label; None when the truth is unknown (measured data)."""
    if any(value is None for value in truth.values()):
        return None
    curves = {}
    for polymer in polymers:
        if polymer.name not in dT_range:
            continue
        values = {**truth, "r_glassy": polymer.r_glassy}
        shown = [
            f"{p.name}={_number(values[p.name], p.unit)}"
            for p in law.parameters
            if p.name in values and values[p.name] != p.default
        ]
        line = np.linspace(*dT_range[polymer.name], 300)
        curve = pd.DataFrame({"Polymer": polymer.name, "T": line + polymer.Tg, "Tg": polymer.Tg})
        alpha = law.alpha(curve, values)
        curves[polymer.name] = (line, alpha, "truth: " + ", ".join(shown))
    return curves


def recovery_figures(
    alpha_files: Sequence[str],
    groups: Sequence[str],
    law: Law,
    truth: Mapping[str, float | None],
    polymers: Sequence[Polymer],
    title: str,
    outputs: Sequence[str],
) -> None:
    """Per group, recovered alpha against ``T - Tg`` with every seed overlaid and the true law.

    ``alpha_files``: the alpha tables of one (scenario, model, hyper) point, every group, fold
    and seed; ``truth``: the scenario's parameters of the law (None: unknown); ``outputs``: one
    SVG per group, in ``groups`` order.
    """
    by_group: dict[str, list[pd.DataFrame]] = {group: [] for group in groups}
    for path in alpha_files:
        by_group[layout.parse_fit_file(path)["group"]].append(io.read_parquet(path))
    for group, figure_path in zip(groups, outputs, strict=True):
        table = pd.concat(by_group[group], ignore_index=True)
        dT_range = {
            name: (rows["T_minus_Tg"].min(), rows["T_minus_Tg"].max())
            for name, rows in table.groupby("Polymer", sort=False)
        }
        curves = truth_curves(law, truth, polymers, dT_range)
        figure = plots.alpha_vs_T_figure(table, curves, f"{title}, {group}")
        io.save_figure(figure, figure_path)


def overview(
    inputs: Mapping[str, str],
    point: Mapping[str, Mapping[str, Any]],
    groups: Sequence[str],
    models: Sequence[str],
    law: Law,
    outputs: Mapping[str, str],
) -> None:
    """The one-page comparison of the models at the reference ``point``; the metrics and
    recovery tables as HTML."""
    metrics = io.read_parquet(inputs["metrics"])
    recovery_table = io.read_parquet(inputs["recovery"])
    errors = aggregation.recovery_errors(recovery_table, point, groups)
    r2_table = aggregation.r2_by_model(metrics, point, groups)
    units = {p.name: p.unit for p in law.parameters}
    subtitle = (
        ", ".join(
            f"{key} = {_number(float(value), units.get(key, '-'))}"
            for key, value in point["scenario"].items()
        )
        or f"law {law.name}, measured data"
    )
    labels = {model: family(model).label for model in models}
    cross_validation = aggregation.rows_at_point(io.read_parquet(inputs["cross_validation"]), point)
    figure = plots.overview_figure(
        r2_table, groups, models, subtitle, errors, labels, cross_validation
    )
    io.save_figure(figure, outputs["overview"])
    tables.write_table_html(inputs["summary"], outputs["summary"], kind="summary")
    tables.write_frame_html(recovery_table, outputs["recovery"], kind="recovery")


def read_point_tables(point_files: Sequence[str], fits: Fits) -> dict[tuple, pd.DataFrame]:
    """The point predictions of each fit of a batch (``point_files``, in ``fits`` order), by
    ``(group, fold, seed)``."""
    return {
        identity: io.read_parquet(path)
        for identity, path in layout.per_fit(list(point_files), fits).items()
    }


def _group_predictions(
    point_tables: Mapping[tuple, pd.DataFrame], groups: Sequence[str]
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """Per group of one (scenario, model, hyper) point, in ``groups`` order: the point
    predictions of all its fits (``point_tables``, by ``(group, fold, seed)``), the held-out
    points with their cross-validated predictions and bands, and the query points' D with
    their bands."""
    by_group: dict[str, list[pd.DataFrame]] = {group: [] for group in groups}
    for (group, _, _), table in point_tables.items():
        by_group[group].append(table)
    for group in groups:
        predicted = pd.concat(by_group[group], ignore_index=True)
        held_out = prediction.held_out_table(predicted)
        yield predicted, held_out, prediction.query_table(predicted, held_out)


def predict_groups(
    point_tables: Mapping[tuple, pd.DataFrame],
    groups: Sequence[str],
    title: str,
    outputs: Mapping[str, Sequence[str]],
) -> None:
    """Per group of one (scenario, model, hyper) point: the held-out points with their
    cross-validated predictions and bands (``cross_validation``) and the query points' D with
    their bands (``predictions``), from the point predictions of its fits (``point_tables``,
    by ``(group, fold, seed)``: :func:`read_point_tables`)."""
    tables = zip(groups, _group_predictions(point_tables, groups), strict=True)
    for k, (group, (predicted, held_out, queries)) in enumerate(tables):
        io.write_csv(held_out, outputs["cross_validation"][k])
        io.write_csv(queries, outputs["predictions"][k])
        summary = prediction.cross_validation_summary(held_out)
        log.info("%s %s: cross-validation %s", title, group, summary)
        unanchored = prediction.unanchored_held_out(predicted)
        if unanchored:
            log.info(
                "%s %s: %d held-out point(s) not predicted: D is anchored on train points of the "
                "same polymer, and their fold holds out every point of their polymer",
                title, group, unanchored,
            )  # fmt: skip


def predict_figures(
    point_files: Sequence[str],
    fits: Fits,
    groups: Sequence[str],
    title: str,
    figures: Sequence[str],
) -> None:
    """Per group of one (scenario, model, hyper) point, the figure of measured against
    predicted D (``figures``, in ``groups`` order)."""
    point_tables = read_point_tables(point_files, fits)
    tables = zip(groups, _group_predictions(point_tables, groups), figures, strict=True)
    for group, (predicted, held_out, queries), path in tables:
        figure = plots.measured_vs_predicted(held_out, queries, predicted, f"{title}, {group}")
        io.save_figure(figure, path)


def write_cross_validation_table(files: Sequence[str], outputs: Mapping[str, str]) -> None:
    """Per (scenario, model, hyper, group): the cross-validated log10 RMSE of D over the held-out
    points, the coverage and half-width of their 90 % bands (Parquet and CSV)."""
    rows = []
    scenario_keys: list[str] = []
    for path in files:
        identity = layout.parse_group_file(path)
        scenario_keys = list(identity["scenario"])
        held_out = pd.read_csv(path)
        rows.append(
            {**identity["scenario"], "model": identity["model"], **identity["hyper"],
             "group": identity["group"], **prediction.cross_validation_summary(held_out)}
        )  # fmt: skip
    table = aggregation.tidy(
        pd.DataFrame(rows), scenario_keys, ["group"], list(prediction.SUMMARY_KEYS)
    )
    io.write_parquet(table, outputs["parquet"])
    io.write_csv(table, outputs["csv"])


def write_run_costs(
    files: Sequence[str],
    logs: Sequence[str],
    jobs: Sequence[tuple[str, str]],
    local_rules: Sequence[str],
    outputs: Mapping[str, str],
) -> None:
    """Every job's benchmark in one table (Parquet and CSV; with the usage that a warm worker's
    child recorded at the end of the job's log, of ``logs``), the cost of each rule summed over
    its jobs (CSV, and the figure), and the profile resources these measures call for for the
    rules that a cluster runs (YAML: ``local_rules`` run in the Snakemake process)."""
    job_table = benchmarks.job_table(files, logs, jobs)
    io.write_parquet(job_table, outputs["parquet"])
    io.write_csv(job_table, outputs["csv"])
    costs = benchmarks.rule_costs(job_table, local_rules)
    io.write_csv(costs, outputs["rule_costs"])
    log.info("cost per rule:\n%s", costs.to_string(index=False))
    with io.atomic_path(outputs["resources"]) as tmp:
        tmp.write_text(benchmarks.profile_snippet(benchmarks.suggested_resources(costs)))
    total = f"{len(job_table)} jobs, {job_table['wall_s'].sum():.0f} s of wall time in all"
    figure = plots.rule_cost_figure(costs, f"Cost of the run per rule ({total})")
    io.save_figure(figure, outputs["figure"])


def write_provenance(
    config: Mapping[str, Any], source_dir: str, command: str, outputs: Mapping[str, str]
) -> None:
    """The provenance record of the run, as YAML and as an HTML page for the report."""
    record = provenance.record(config, source_dir, command)
    log.info("code %s; packages %s", record["workflow"], record["versions"])
    provenance.write_yaml(record, outputs["yaml"])
    provenance.write_html(record, outputs["html"])
