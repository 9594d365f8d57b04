"""The one-page overview: the headline comparison of the models, for a README or a slide.

Panel 1: test R2 of each model in each group (mean +- sd over seeds) against the information
ceiling of the group (the best R2 any function of the lecture's pair features can reach).
Panel 2, only when a recovery table is given: how well each model recovers the scaling law
(mean absolute relative error of Ka, Kb, r against the truth, in percent).

The figure is drawn at one sweep point (:func:`contrastive_gs.config.reference_point`), so that a
sweep's overview compares models on the same data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from contrastive_gs import plots
from contrastive_gs.config import HYPER_KEYS, SCENARIO_KEYS
from contrastive_gs.steps import at_point, rows_at_point

plt = plots.plt  # Agg backend and the project's rcParams
MODEL_NAMES = {
    "nn": "NN", "poly": "poly", "twin": "twin", "twin_structured": "structured twin",
    "kernel": "kernel",
}  # fmt: skip
# Columns of the optional recovery table: one row per (model, group, parameter); ``error_pct`` is
# the mean over seeds of |estimate - truth| / truth in percent (``mean_abs_rel_error_pct`` of
# :func:`contrastive_gs.recovery.scaling_law_summary`; NaN: not identifiable), ``error_sd_pct`` its
# sd over seeds (may be missing or NaN).  :func:`recovery_errors` builds these rows from the tidy
# recovery table (results/summary/recovery.parquet).
RECOVERY_COLUMNS = ("model", "group", "parameter", "error_pct")
PARAMETER_LABELS = {"alpha": "alpha (per point)", "Ka": "Ka", "Kb": "Kb", "r_glassy": "r (glassy)"}
SCENARIO_UNITS = {"Ka": " K", "Kb": " K", "noise": ""}
ERROR_FLOOR_PCT = 1e-4  # recovery errors below this (%) are drawn at it and labelled ~0


def model_label(model: str, hyper: Mapping[str, object]) -> str:
    """A model's name with its hyper-parameters, as the lecture names it: ``NN 3-32-32-1``,
    ``poly degree 2``; other models: name and ``key value`` pairs."""
    name = MODEL_NAMES.get(model, model)
    hyper = {k: v for k, v in hyper.items() if v is not None and not pd.isna(v)}
    if model == "nn" and {"width", "depth"} <= hyper.keys():
        layers = [str(int(hyper["width"]))] * int(hyper["depth"])
        return f"{name} 3-{'-'.join(layers)}-1"
    return " ".join([name, *(f"{k} {v}" for k, v in hyper.items())])


def r2_by_model(
    metrics: pd.DataFrame, point: Mapping[str, Mapping[str, object]], groups: Sequence[str]
) -> pd.DataFrame:
    """Test R2 per (model, group) at ``point`` (``{"scenario": {Ka, Kb, noise}, model: {hyper
    values}}``, as :func:`contrastive_gs.config.reference_point` gives it): mean, sd (0 for one
    seed) and count over seeds, the group's information ceiling and the model's label; groups in
    ``groups`` order."""
    rows = at_point(metrics, point, [])
    rows = rows[rows["group"].isin(groups)]
    table = (
        rows.groupby(["model", "group"], sort=False)
        .agg(
            r2_mean=("r2", "mean"),
            r2_sd=("r2", "std"),
            seeds=("r2", "size"),
            ceiling=("r2_ceiling_group", "mean"),
        )
        .reset_index()
    )
    table["r2_sd"] = table["r2_sd"].fillna(0.0)
    hyper_columns = {m: [k for k in keys if k in rows] for m, keys in HYPER_KEYS.items()}
    labels = {}
    for model, model_rows in rows.groupby("model", sort=False):
        first = model_rows.iloc[0]
        labels[model] = model_label(model, {k: first[k] for k in hyper_columns.get(model, [])})
    table["label"] = table["model"].map(labels)
    table["group"] = pd.Categorical(table["group"], categories=list(groups), ordered=True)
    return table.sort_values(["group", "model"], kind="stable").reset_index(drop=True)


def recovery_errors(
    table: pd.DataFrame, point: Mapping[str, Mapping[str, object]], groups: Sequence[str]
) -> pd.DataFrame:
    """Rows of :data:`RECOVERY_COLUMNS` (with ``error_sd_pct``) from the tidy recovery table
    (:func:`contrastive_gs.steps.recovery_table`) at ``point``, for the first of ``groups`` that
    the table holds: the mean absolute relative error (%) of each recovered parameter, NaN where
    it is not identifiable; its sd over seeds from ``seed_std`` where the truth is known."""
    rows = rows_at_point(table, point)
    present = [g for g in groups if g in set(rows["group"])]
    columns = [*RECOVERY_COLUMNS, "error_sd_pct"]
    if not present:
        return pd.DataFrame(columns=columns)
    rows = rows[rows["group"] == present[0]]

    def number(column: str) -> pd.Series:
        return pd.to_numeric(rows[column], errors="coerce").astype(float)

    truth = number("truth").where(lambda t: t != 0)
    return pd.DataFrame(
        {
            "model": rows["model"].astype(str),
            "group": rows["group"].astype(str),
            "parameter": rows["parameter"].astype(str),
            "error_pct": number("mean_abs_rel_error_pct"),
            "error_sd_pct": (100.0 * number("seed_std") / truth.abs()),
        }
    ).reset_index(drop=True)[columns]


def _scenario_text(point: Mapping[str, Mapping[str, object]]) -> str:
    scenario = point["scenario"]
    return ", ".join(
        f"{key} = {float(scenario[key]):g}{SCENARIO_UNITS[key]}"
        for key in SCENARIO_KEYS
        if key in scenario
    )


def _r2_panel(ax, table: pd.DataFrame, groups: Sequence[str], models: Sequence[str]) -> None:
    """One row per (group, model): test R2 as a marker (mean +- sd over seeds) and as a number in
    a column at the right; per group a grey bar at the information ceiling of the pair features."""
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    present = [m for m in models if m in set(table["model"])]
    present += sorted(set(table["model"]) - set(present))
    step = 1.0 / (len(present) + 1)
    half = len(present) / 2 * step
    for g, group in enumerate(groups):
        rows = table[table["group"] == group].set_index("model")
        ceiling = float(rows["ceiling"].iloc[0]) if len(rows) else np.nan
        if np.isfinite(ceiling):
            ax.vlines(ceiling, -g - half, -g + half, color="0.4", lw=2.5, zorder=1)
            ax.annotate(
                f"ceiling {ceiling:.4f} ", (ceiling, -g + half), ha="right", va="bottom",
                fontsize=7, color="0.3",
            )  # fmt: skip
        for k, model in enumerate(present):
            if model not in rows.index:
                continue
            y = -g + half - (k + 0.5) * step
            row, color = rows.loc[model], colors[k % len(colors)]
            ax.errorbar(
                row["r2_mean"], y, xerr=row["r2_sd"], fmt="o", ms=6, capsize=3, color=color,
                zorder=3, label=row["label"] if g == 0 or model not in rows.index else None,
            )  # fmt: skip
            text = f"{row['r2_mean']:.4f}" + (f" +- {row['r2_sd']:.4f}" if row["seeds"] > 1 else "")
            ax.text(
                1.01, y, text, transform=ax.get_yaxis_transform(), ha="left", va="center",
                fontsize=7, color=color,
            )  # fmt: skip
    ax.plot([], [], color="0.4", lw=2.5, label="information ceiling of the pair features")
    ax.set_yticks([-g for g in range(len(groups))], list(groups))
    ax.set_ylim(-len(groups) + 0.5, 0.5)
    ax.grid(False, axis="y")
    low = float(np.nanmin([(table["r2_mean"] - table["r2_sd"]).min(), table["ceiling"].min()]))
    ax.set_xlim(max(low - 0.08 * (1.0 - low) - 0.002, -1.0), 1.0 + 0.02 * (1.0 - low) + 0.0005)
    ax.set_xlabel("test R2 of logD_ratio (-)")
    ax.set_ylabel("fit group (pooled: all polymers, as in the lecture)")
    ax.set_title("Prediction: test R2 against the information ceiling")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(
        unique.values(), unique.keys(), loc="upper center", bbox_to_anchor=(0.5, -0.16),
        ncol=min(3, len(unique)), fontsize=7, frameon=False,
    )  # fmt: skip


def _recovery_panel(ax, recovery: pd.DataFrame, models: Sequence[str]) -> None:
    """Bars: mean |relative error| (%) of each recovered parameter, per model (log scale); a
    parameter that a model cannot identify is marked n/a."""
    present = [m for m in models if m in set(recovery["model"])]
    present += sorted(set(recovery["model"]) - set(present))
    parameters = [p for p in PARAMETER_LABELS if p in set(recovery["parameter"])]
    shades = ["0.2", "0.45", "0.65", "0.85"]  # grey: the model colours belong to the R2 panel
    width = 0.8 / max(len(parameters), 1)
    group = recovery["group"].iloc[0]
    finite = np.maximum(recovery["error_pct"].to_numpy(dtype=float), ERROR_FLOOR_PCT)
    finite = finite[np.isfinite(finite)]
    bottom = 10.0 ** np.floor(np.log10(finite.min())) / 3 if len(finite) else 1e-2
    top = 10.0 ** np.ceil(np.log10(finite.max())) * 3 if len(finite) else 1e2
    for k, parameter in enumerate(parameters):
        rows = recovery[(recovery["parameter"] == parameter) & (recovery["group"] == group)]
        rows = rows.set_index("model").reindex(present)
        xs = np.arange(len(present)) + (k - (len(parameters) - 1) / 2) * width
        errors = rows["error_pct"].to_numpy(dtype=float)
        drawn = np.maximum(errors, ERROR_FLOOR_PCT)  # exact recovery: a bar at the floor
        sd = rows["error_sd_pct"].to_numpy(dtype=float) if "error_sd_pct" in rows else None
        ax.bar(
            xs, np.where(np.isfinite(drawn), drawn - bottom, 0.0), width, bottom=bottom,
            yerr=sd, capsize=2, color=shades[k % len(shades)], label=PARAMETER_LABELS[parameter],
        )  # fmt: skip
        for x, value, height in zip(xs, errors, drawn, strict=True):
            if np.isfinite(value):
                text = f"{value:.2g}" if value >= ERROR_FLOOR_PCT else "~0"
                ax.text(x, height * 1.08, text, ha="center", va="bottom", fontsize=6)
            else:
                ax.text(x, bottom * 1.15, "n/a", ha="center", va="bottom", fontsize=6, rotation=90)
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.set_xticks(range(len(present)), [MODEL_NAMES.get(m, m) for m in present])
    ax.set_xlabel("model (n/a: not identifiable from the model)")
    ax.set_ylabel("mean |estimate - truth| / truth (%)")
    ax.set_title(f"Scaling law: recovery error ({group})")
    ax.legend(fontsize=7)


def overview_figure(
    metrics: pd.DataFrame,
    point: Mapping[str, Mapping[str, object]],
    groups: Sequence[str],
    models: Sequence[str],
    recovery: pd.DataFrame | None = None,
) -> Figure:
    """The one-page overview of a run (see the module docstring).

    ``metrics``: the tidy metrics table (results/summary/metrics.parquet); ``point``: the sweep
    point to show (:func:`contrastive_gs.config.reference_point`); ``groups``, ``models``: in
    the order to draw.  ``recovery``: optional scaling-law recovery errors with
    :data:`RECOVERY_COLUMNS` (the second panel is drawn only when it is given and not empty).
    """
    table = r2_by_model(metrics, point, groups)
    groups = [g for g in groups if g in set(table["group"].astype(str))]
    with_recovery = recovery is not None and not recovery.empty
    height = max(4.6, 1.8 + 0.3 * len(groups) * (table["model"].nunique() + 1))
    figure, axes = plt.subplots(
        1, 2 if with_recovery else 1, figsize=(12.5 if with_recovery else 8, height),
        squeeze=False, width_ratios=[3, 2] if with_recovery else None,
    )  # fmt: skip
    _r2_panel(axes[0][0], table, list(groups), list(models))
    if with_recovery:
        _recovery_panel(axes[0][1], recovery, list(models))
    seeds = sorted(set(table["seeds"]))
    seed_text = f"{seeds[0]} seed{'s' if seeds[0] > 1 else ''}" if len(seeds) == 1 else "seeds"
    figure.suptitle(
        "contrastive-gs: learning log D ratios from pairs of (M, T)\n"
        f"{_scenario_text(point)}; test pairs, mean +- sd over {seed_text}",
        fontsize=10,
    )
    figure.tight_layout(w_pad=3.0)
    return figure
