"""The figure and table steps of the workflow, one function per rule: read, compute, write.

Scripts under ``scripts/`` call these with the paths Snakemake gives them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import pandas as pd

from contrastive_gs import diagnostics, io, plots
from contrastive_gs.config import HYPER_KEYS, SCENARIO_KEYS
from contrastive_gs.pairs import FEATURES, select_group

log = logging.getLogger(__name__)
MODEL_LABELS = {"nn": "NN", "poly": "poly"}


def diagnose_fit(
    model: str, title: str, inputs: Mapping[str, str], outputs: Mapping[str, str]
) -> None:
    """Figures and tables of one fit: predicted vs true, residual histogram, residuals vs
    predicted, QQ plot, the lecture's diagnostics table and Shapiro-Wilk table."""
    label = MODEL_LABELS.get(model, model)
    predictions = io.read_parquet(inputs["predictions"])
    metrics = diagnostics.metrics_frame({label: io.read_json(inputs["metrics"])})
    io.save_figure(
        plots.predicted_vs_true(predictions, f"{label}, {title}"), outputs["predicted_vs_true"]
    )
    by_model = {label: predictions}
    io.save_figure(plots.residual_histogram(by_model, title), outputs["hist"])
    io.save_figure(plots.residuals_vs_predicted(by_model, title), outputs["residuals_vs_predicted"])
    io.save_figure(plots.qq_plots(by_model, title), outputs["qq"])
    io.write_csv(diagnostics.lecture_table(metrics), outputs["residual_stats"])
    io.write_csv(diagnostics.shapiro_table(metrics), outputs["shapiro"])
    log.info("diagnosed %s", title)


def compare_models(
    predictions_files: Mapping[str, str],
    metrics_files: Mapping[str, str],
    title: str,
    outputs: Mapping[str, str],
) -> None:
    """The lecture's side-by-side diagnostics of the NN and the polynomial on the same pairs."""
    predictions = {MODEL_LABELS[m]: io.read_parquet(path) for m, path in predictions_files.items()}
    metrics = diagnostics.metrics_frame(
        {MODEL_LABELS[m]: io.read_json(path) for m, path in metrics_files.items()}
    )
    io.write_csv(diagnostics.lecture_table(metrics), outputs["diagnostics"])
    io.write_csv(diagnostics.shapiro_table(metrics), outputs["shapiro"])
    io.save_figure(plots.residual_histogram(predictions, title), outputs["hist"])
    io.save_figure(
        plots.residuals_vs_predicted(predictions, title), outputs["residuals_vs_predicted"]
    )
    io.save_figure(plots.qq_plots(predictions, title), outputs["qq"])
    io.save_figure(
        plots.model_vs_model(predictions["poly"], predictions["NN"], "poly", "NN"),
        outputs["nn_vs_poly"],
    )


def pca_figures(pairs_path: str, groups: Sequence[str], outputs: Sequence[str]) -> None:
    """PCA of the standardised contrastive features of each group (lecture figure 8)."""
    pairs = io.read_parquet(pairs_path, columns=["Polymer_i", "Polymer_j", *FEATURES])
    for group, path in zip(groups, outputs, strict=True):
        projection, explained = diagnostics.pca_projection(
            select_group(pairs, group)[FEATURES].to_numpy()
        )
        io.save_figure(plots.pca_scatter(projection, explained, group), path)


def metrics_table(metrics_files: Sequence[str]) -> pd.DataFrame:
    """One tidy row per (scenario, model, hyper-parameters, group, seed, split).

    Scenario and hyper-parameter values are read from the ``key~value`` folders of each path.
    """
    rows = []
    for path in metrics_files:
        keys = io.path_parameters(path)
        parts = str(path).split("/")
        model = parts[parts.index("fits") + 1]
        group, seed = io.group_and_seed_of(path)
        for split, stats in io.read_json(path).items():
            rows.append(
                {**keys, "model": model, "group": group, "seed": seed, "split": split, **stats}
            )
    table = pd.DataFrame(rows)
    hyper_keys = [
        k for k in dict.fromkeys(k for ks in HYPER_KEYS.values() for k in ks) if k in table
    ]
    scenario_keys = [k for k in SCENARIO_KEYS if k in table]
    identity = [*scenario_keys, "model", *hyper_keys, "group", "seed", "split"]
    for column in hyper_keys:
        table[column] = table[column].astype("Int64")  # integers, missing for other models
    return table[identity + [k for k in diagnostics.STAT_KEYS if k in table.columns]]


def seed_summary(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over seeds of R2, RMSE and the ceiling, per everything else."""
    keys = [c for c in metrics.columns if c not in diagnostics.STAT_KEYS and c != "seed"]
    summary = metrics.groupby(keys, dropna=False, sort=False)[["r2", "rmse", "r2_ceiling"]].agg(
        ["mean", "std", "count"]
    )
    summary.columns = [f"{stat}_{agg}" for stat, agg in summary.columns]
    return summary.reset_index()


def at_point(
    metrics: pd.DataFrame, point: Mapping[str, float], free: Sequence[str]
) -> pd.DataFrame:
    """Test rows of the tidy metrics at ``point``, except for the ``free`` keys; a key a model
    does not have (width for the polynomial) matches any row."""
    rows = metrics[metrics["split"] == "test"]
    for key, value in point.items():
        if key in free or key not in rows:
            continue
        rows = rows[rows[key].isna() | (rows[key] == value)]
    return rows


def sweep_figures(
    metrics_path: str,
    point: Mapping[str, float],
    groups: Sequence[str],
    models: Sequence[str],
    outputs: Mapping[str, str],
) -> None:
    """Test R2 against width and against noise (per group), and over Ka x Kb (pooled, per model),
    each at the reference ``point`` of the other swept keys."""
    metrics = io.read_parquet(metrics_path)
    for key, label in (
        ("width", "NN width (neurons per hidden layer)"),
        ("noise", "noise sd on ln D"),
    ):
        figure = plots.r2_against(at_point(metrics, point, [key]), key, label, groups)
        io.save_figure(figure, outputs[f"r2_vs_{key}"])
    pooled = at_point(metrics, point, ["Ka", "Kb"])
    pooled = pooled[pooled["group"] == groups[0]]
    io.save_figure(plots.r2_heatmap(pooled, "Ka", "Kb", models), outputs["r2_heatmap_Ka_Kb"])
