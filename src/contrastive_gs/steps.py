"""The figure and table steps of the workflow, one function per rule: read, compute, write.

Scripts under ``scripts/`` call these with the paths Snakemake gives them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from contrastive_gs import diagnostics, io, plots, recovery
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
        keys = {**io.path_parameters(path), "model": io.model_of(path)}
        group, seed = io.group_and_seed_of(path)
        for split, stats in io.read_json(path).items():
            rows.append({**keys, "group": group, "seed": seed, "split": split, **stats})
    return _tidy(pd.DataFrame(rows), ["group", "seed", "split"], diagnostics.STAT_KEYS)


def _tidy(table: pd.DataFrame, tail: list[str], values: list[str]) -> pd.DataFrame:
    """Columns ordered scenario keys, model, hyper-parameters, ``tail``, ``values``; integer
    hyper-parameters as nullable integers (missing for models without them)."""
    hyper_keys = [
        k for k in dict.fromkeys(k for ks in HYPER_KEYS.values() for k in ks) if k in table
    ]
    for column in hyper_keys:
        if pd.api.types.is_float_dtype(table[column]):
            table[column] = table[column].astype("Int64")
    scenario_keys = [k for k in SCENARIO_KEYS if k in table]
    identity = [*scenario_keys, "model", *hyper_keys, *tail]
    return table[identity + [k for k in values if k in table.columns]]


def seed_summary(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over seeds of R2, RMSE and the ceiling, per everything else."""
    keys = [c for c in metrics.columns if c not in diagnostics.STAT_KEYS and c != "seed"]
    summary = metrics.groupby(keys, dropna=False, sort=False)[["r2", "rmse", "r2_ceiling"]].agg(
        ["mean", "std", "count"]
    )
    summary.columns = [f"{stat}_{agg}" for stat, agg in summary.columns]
    return summary.reset_index()


def rows_at_point(
    table: pd.DataFrame, point: Mapping[str, Mapping[str, Any]], free: Sequence[str] = ()
) -> pd.DataFrame:
    """Rows of a tidy table (:func:`metrics_table`, :func:`recovery_table`) at the reference
    ``point`` (see :func:`contrastive_gs.config.reference_point`), except for the ``free`` keys;
    a hyper-parameter constrains only the rows of its own model."""
    keep = np.ones(len(table), dtype=bool)
    for key, value in point["scenario"].items():
        if key not in free and key in table:
            keep &= (table[key] == value).to_numpy()
    for model, hyper in point.items():
        of_model = (table["model"] == model).to_numpy()
        for key, value in hyper.items():
            if model != "scenario" and key not in free and key in table:
                keep &= ~of_model | (table[key] == value).fillna(False).to_numpy()
    return table[keep]


def at_point(
    metrics: pd.DataFrame, point: Mapping[str, Mapping[str, Any]], free: Sequence[str]
) -> pd.DataFrame:
    """Test rows of the tidy metrics at the reference ``point``, except for the ``free`` keys
    (:func:`rows_at_point`)."""
    return rows_at_point(metrics[metrics["split"] == "test"], point, free)


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
        ("width", "network width (neurons per hidden layer)"),
        ("noise", "noise sd on ln D"),
    ):
        figure = plots.r2_against(at_point(metrics, point, [key]), key, label, groups)
        io.save_figure(figure, outputs[f"r2_vs_{key}"])
    pooled = at_point(metrics, point, ["Ka", "Kb"])
    pooled = pooled[pooled["group"] == groups[0]]
    io.save_figure(plots.r2_heatmap(pooled, "Ka", "Kb", models), outputs["r2_heatmap_Ka_Kb"])


def recovery_figures(
    alpha_files: Sequence[str],
    groups: Sequence[str],
    truth: Mapping[str, float | None],
    r_glassy: Mapping[str, float],
    title: str,
    outputs: Sequence[str],
) -> None:
    """Per group, recovered alpha against ``T - Tg`` with every seed overlaid and the true law.

    ``alpha_files``: the alpha tables of one (scenario, model, hyper) point, every group and seed;
    ``truth``: Ka and Kb (K) of the data (None: unknown); ``r_glassy``: per polymer name;
    ``outputs``: one SVG per group, in ``groups`` order.
    """
    by_group: dict[str, list[pd.DataFrame]] = {group: [] for group in groups}
    for path in alpha_files:
        by_group[io.group_and_seed_of(path)[0]].append(io.read_parquet(path))
    known = truth if all(truth.get(name) is not None for name in ("Ka", "Kb")) else None
    for group, figure_path in zip(groups, outputs, strict=True):
        tables = pd.concat(by_group[group], ignore_index=True)
        polymer_r = {name: r_glassy.get(name, 1.0) for name in pd.unique(tables["Polymer"])}
        figure = recovery.alpha_vs_T_figure(tables, known, polymer_r, f"{title}, {group}")
        io.save_figure(figure, figure_path)


def recovery_table(law_files: Sequence[str]) -> pd.DataFrame:
    """One tidy row per (scenario, model, hyper-parameters, group, parameter) of the scaling law
    recovered over seeds: estimate, stderr, seed_std, truth, rel_error_pct,
    mean_abs_rel_error_pct, n_fits, n_success.

    ``law_files``: the per-fit scaling_law.json (:func:`contrastive_gs.recovery.fit_record`) of
    every fit, ``.../<group>/seed~<seed>/scaling_law.json``.
    """
    by_group: dict[Path, list[str]] = {}
    for path in law_files:
        by_group.setdefault(Path(path).parent.parent, []).append(path)
    rows = []
    for group_dir, paths in by_group.items():
        keys = {**io.path_parameters(paths[0]), "model": io.model_of(paths[0])}
        law = recovery.summary_of_records([io.read_json(path) for path in paths])
        log.info("%s (%d fits): %s", group_dir, len(paths), _estimates_text(law))
        for name, entry in law["parameters"].items():
            if not entry["fitted"]:
                continue
            values = {k: entry.get(k) for k in RECOVERY_COLUMNS}
            rows.append(
                {**keys, "group": group_dir.name, "parameter": name, **values,
                 "n_fits": law["n_fits"], "n_success": law["n_success"]}
            )  # fmt: skip
    return _tidy(
        pd.DataFrame(rows), ["group", "parameter"], [*RECOVERY_COLUMNS, "n_fits", "n_success"]
    )


def _estimates_text(summary: Mapping) -> str:
    parts = []
    for name, entry in summary["parameters"].items():
        if entry.get("estimate") is not None:
            parts.append(f"{name} = {entry['estimate']:.4g} (truth {entry['truth']})")
    return ", ".join(parts) or "not identifiable: " + "; ".join(summary["reasons"])


RECOVERY_COLUMNS = [
    "estimate", "stderr", "seed_std", "truth", "rel_error_pct", "mean_abs_rel_error_pct",
]  # fmt: skip
