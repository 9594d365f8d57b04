"""The lecture's figures, one function each, returning a matplotlib Figure (saving is the
caller's: :func:`contrastive_gs.io.save_figure` writes byte-stable files).

Predictions tables have the columns of :data:`contrastive_gs.fit.PREDICTION_COLUMNS`;
residual = predicted - true, in units of ``logD_ratio`` (natural log).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

plt.rcParams.update(
    {
        "svg.hashsalt": "contrastive-gs",  # stable element ids: identical files on rerun
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "font.size": 9,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
SPLITS = ("train", "test")
ERROR_FLOOR_PCT = 1e-4  # recovery errors below this (%) are drawn at it and labelled ~0
PARAMETER_LABELS = {"alpha": "alpha (per point)", "Ka": "Ka", "Kb": "Kb", "r_glassy": "r (glassy)"}
COLORS = {"train": "tab:blue", "test": "tab:orange"}
TARGET_LABEL = "logD_ratio = ln(D_i/D_j)"
RESIDUAL_LABEL = "residual (predicted - true logD_ratio)"


def _split(predictions: pd.DataFrame, split: str) -> pd.DataFrame:
    return predictions[predictions["split"] == split]


def _residuals(predictions: pd.DataFrame) -> np.ndarray:
    return (predictions["y_pred"] - predictions["y_true"]).to_numpy()


MIN_ROWS = 2  # pairs a panel needs to draw something meaningful
RASTER_ABOVE = 5000  # a scatter of more points is drawn as an image inside the SVG (file size)


def _dense(n_points: int) -> bool:
    """Whether a scatter of ``n_points`` is rasterised (vector below :data:`RASTER_ABOVE`)."""
    return n_points > RASTER_ABOVE


def _too_few(ax, rows: pd.DataFrame, split: str) -> bool:
    """Mark a panel of fewer than ``MIN_ROWS`` pairs as such (small data: a fold may hold out
    no pair); True where it is."""
    if len(rows) >= MIN_ROWS:
        return False
    ax.text(0.5, 0.5, f"{len(rows)} {split} pair(s): nothing to draw", ha="center",
            va="center", transform=ax.transAxes, color="0.4")  # fmt: skip
    return True


def predicted_vs_true(predictions: pd.DataFrame, title: str) -> Figure:
    """Lecture figures 1-2: predicted against true logD_ratio, train and test side by side."""
    figure, axes = plt.subplots(1, 2, figsize=(9, 4), sharex=True, sharey=True)
    low, high = predictions["y_true"].min(), predictions["y_true"].max()
    for ax, split in zip(axes, SPLITS, strict=True):
        rows = _split(predictions, split)
        ax.scatter(rows["y_true"], rows["y_pred"], s=8, alpha=0.5, color=COLORS[split],
                   rasterized=_dense(len(rows)))  # fmt: skip
        ax.plot([low, high], [low, high], "r--", lw=1, label="identity")
        ax.set_title(f"{split} set: {title}")
        ax.set_xlabel(f"true {TARGET_LABEL}")
        ax.legend(loc="upper left")
    axes[0].set_ylabel(f"predicted {TARGET_LABEL}")
    figure.tight_layout()
    return figure


def residual_histogram(predictions: Mapping[str, pd.DataFrame], title: str) -> Figure:
    """Lecture figure 3: density histograms of residuals with a Gaussian KDE, per model and split.

    ``predictions`` maps a model label to its predictions table.
    """
    from scipy.stats import gaussian_kde

    figure, ax = plt.subplots(figsize=(9, 4))
    color_cycle = iter(plt.rcParams["axes.prop_cycle"].by_key()["color"])
    for model, table in predictions.items():
        for split in SPLITS:
            residuals = _residuals(_split(table, split))
            color = next(color_cycle)
            if len(residuals) == 0:
                continue
            ax.hist(
                residuals,
                bins=20,
                density=True,
                histtype="step",
                lw=1.2,
                color=color,
                label=f"{model} {split}",
            )
            if len(residuals) > 2 and np.ptp(residuals) > 0:
                grid = np.linspace(residuals.min(), residuals.max(), 200)
                ax.plot(grid, gaussian_kde(residuals)(grid), color=color, lw=1, ls=":")
    ax.axvline(0, color="k", linestyle="--", lw=1)
    ax.set_title(f"Histogram of residuals: {title}")
    ax.set_xlabel(RESIDUAL_LABEL)
    ax.set_ylabel("density")
    ax.legend()
    figure.tight_layout()
    return figure


def _model_by_split(predictions: Mapping[str, pd.DataFrame], title: str, draw) -> Figure:
    """A grid of panels, one row per model, train | test; ``draw(ax, model, split, rows)``."""
    figure, axes = plt.subplots(
        len(predictions), 2, figsize=(9, 3.6 * len(predictions)), squeeze=False
    )
    for row, (model, table) in zip(axes, predictions.items(), strict=True):
        for ax, split in zip(row, SPLITS, strict=True):
            draw(ax, model, split, _split(table, split))
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def residuals_vs_predicted(predictions: Mapping[str, pd.DataFrame], title: str) -> Figure:
    """Lecture figure 4: residuals against predicted values, one row per model, train | test."""

    def draw(ax, model, split, rows):
        ax.scatter(rows["y_pred"], _residuals(rows), s=8, alpha=0.5, color=COLORS[split],
                   rasterized=_dense(len(rows)))  # fmt: skip
        ax.axhline(0, color="r", linestyle="--", lw=1)
        ax.set_title(f"{model} {split}: residuals vs predicted")
        ax.set_xlabel(f"predicted {TARGET_LABEL}")
        ax.set_ylabel("residual")

    return _model_by_split(predictions, title, draw)


def qq_plots(predictions: Mapping[str, pd.DataFrame], title: str) -> Figure:
    """Lecture figure 5: normal QQ plots of residuals (statsmodels, standardised line)."""
    import statsmodels.api as sm

    def draw(ax, model, split, rows):
        ax.set_title(f"QQ plot: {model} {split} residuals")
        if _too_few(ax, rows, split) or np.ptp(_residuals(rows)) == 0:
            return
        sm.qqplot(_residuals(rows), line="s", ax=ax, markersize=3, alpha=0.5,
                  rasterized=_dense(len(rows)))  # fmt: skip

    return _model_by_split(predictions, title, draw)


def model_vs_model(
    x_predictions: pd.DataFrame, y_predictions: pd.DataFrame, x_label: str, y_label: str
) -> Figure:
    """Lecture figure 6: one model's predictions against another's, per split (same pairs)."""
    figure, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, split in zip(axes, SPLITS, strict=True):
        x = _split(x_predictions, split)["y_pred"].to_numpy()
        y = _split(y_predictions, split)["y_pred"].to_numpy()
        ax.set_title(f"{y_label} vs {x_label} ({split})")
        if _too_few(ax, _split(x_predictions, split), split):
            continue
        ax.scatter(x, y, s=8, alpha=0.5, color=COLORS[split], rasterized=_dense(len(x)))
        ax.plot([x.min(), x.max()], [x.min(), x.max()], "k--", lw=1)
        ax.set_xlabel(f"{x_label} predicted logD_ratio")
        ax.set_ylabel(f"{y_label} predicted logD_ratio")
    figure.tight_layout()
    return figure


def pca_scatter(projection: np.ndarray, explained_pct: np.ndarray, title: str) -> Figure:
    """Lecture figure 8: the contrastive features on their first two principal components."""
    figure, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.scatter(projection[:, 0], projection[:, 1], s=6, alpha=0.5,
               rasterized=_dense(len(projection)))  # fmt: skip
    ax.set_xlabel(f"PCA component 1 ({explained_pct[0]:.1f} %)")
    ax.set_ylabel(f"PCA component 2 ({explained_pct[1]:.1f} %)")
    ax.set_title(f"PCA of contrastive features: {title}")
    figure.tight_layout()
    return figure


def pcoa_scatter(ordination, target: np.ndarray, title: str) -> Figure:
    """The pairs on their first two principal coordinates (``ordination``: a
    :class:`contrastive_gs.diagnostics.Ordination`), coloured by ``target`` (their
    ``logD_ratio``, shape (n_sampled,)); the sample size and the negative eigenvalues noted."""
    figure, ax = plt.subplots(figsize=(5.8, 4.5))
    points = ax.scatter(
        ordination.coordinates[:, 0], ordination.coordinates[:, 1], c=target, s=6, alpha=0.6,
        cmap="viridis",
    )  # fmt: skip
    figure.colorbar(points, ax=ax, label="logD_ratio")
    explained = ordination.explained_pct
    ax.set_xlabel(f"PCoA axis 1 ({explained[0]:.1f} %)")
    ax.set_ylabel(f"PCoA axis 2 ({explained[1]:.1f} %)")
    ax.set_title(f"PCoA of ln(1 + distance) between pairs: {title}", fontsize=10)
    drawn = len(ordination.rows)
    sample = (
        f"all {drawn} pairs" if drawn == ordination.n_rows
        else f"n = {drawn} of {ordination.n_rows} pairs (seeded draw)"
    )  # fmt: skip
    note = f"{sample}; negative eigenvalues {ordination.negative_pct:.2f} % of the positive"
    ax.text(0.01, 0.01, note, transform=ax.transAxes, fontsize=7, va="bottom")
    figure.tight_layout()
    return figure


def symbolic_alpha_figure(
    points: pd.DataFrame,
    curves: Mapping[str, tuple[np.ndarray, np.ndarray, str]],
    truth_curves: Mapping[str, tuple[np.ndarray, np.ndarray, str]] | None,
    title: str,
) -> Figure:
    """alpha against ``T - Tg``: the points each fit's symbolic regression was given (columns
    fit (its name), T_minus_Tg (K), alpha), the expression it found (``curves``: fit ->
    (T - Tg grid (K), alpha, legend label)) and the true law per polymer (``truth_curves``:
    polymer -> (T - Tg grid, alpha, label); None where unknown)."""
    figure, ax = plt.subplots(figsize=(7.5, 4.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (fit, rows) in enumerate(points.groupby("fit", sort=False)):
        color = colors[k % len(colors)]
        ax.scatter(rows["T_minus_Tg"], rows["alpha"], s=14, alpha=0.6, color=color)
        if fit in curves:
            grid, alpha, label = curves[fit]
            ax.plot(grid, alpha, "-", lw=1.0, color=color, label=label)
    for k, (grid, alpha, label) in enumerate((truth_curves or {}).values()):
        ax.plot(grid, alpha, "k--", lw=1.2, label=label if k == 0 else None)
    ax.set_xlabel("x = T - Tg (K)")
    ax.set_ylabel("scaling exponent alpha (-)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=6, loc="best")
    figure.tight_layout()
    return figure


def _seed_band(rows: pd.DataFrame, x: str) -> pd.DataFrame:
    """Mean and sd over seeds of test R2 against ``x`` (sorted); sd 0 for a single seed."""
    band = rows.groupby(x)["r2"].agg(["mean", "std"]).fillna(0.0).sort_index()
    return band


def r2_against(metrics: pd.DataFrame, x: str, x_label: str, groups: Sequence[str]) -> Figure:
    """Sweep figure: test R2 against one swept key ``x``, one line per model, band = +- sd over
    seeds, one panel per group; the information ceiling of the pairs as a dashed line.

    ``metrics`` holds the test rows of the tidy metrics table at one point of the other swept
    keys.  A model that does not depend on ``x`` (the polynomial against width) is a flat band.
    """
    figure, axes = plt.subplots(
        1, len(groups), figsize=(4 * len(groups), 3.4), squeeze=False, sharey=True
    )
    x_values = np.sort(metrics[x].dropna().unique())
    for ax, group in zip(axes[0], groups, strict=True):
        rows = metrics[metrics["group"] == group]
        for model, model_rows in rows.groupby("model", sort=True):
            if model_rows[x].notna().any():
                band = _seed_band(model_rows, x)
                xs = band.index.to_numpy(dtype=float)
            else:  # flat: the model has no such key
                stats = model_rows["r2"].agg(["mean", "std"]).fillna(0.0)
                band = pd.DataFrame({"mean": [stats["mean"]] * 2, "std": [stats["std"]] * 2})
                xs = np.array([x_values.min(), x_values.max()], dtype=float)
            line = ax.plot(xs, band["mean"], marker="o", ms=3, label=model)[0]
            ax.fill_between(
                xs, band["mean"] - band["std"], band["mean"] + band["std"],
                color=line.get_color(), alpha=0.2,
            )  # fmt: skip
        ceiling = rows["r2_ceiling"].mean()
        ax.axhline(ceiling, color="grey", ls="--", lw=1, label="ceiling")
        ax.set_title(group)
        ax.set_xlabel(x_label)
        if x == "width" and len(x_values) > 1:
            ax.set_xscale("log", base=2)
    axes[0][0].set_ylabel("test R2 (mean +- sd over seeds)")
    axes[0][-1].legend(loc="lower right")
    figure.tight_layout()
    return figure


def r2_heatmap(metrics: pd.DataFrame, row: str, column: str, models: Sequence[str]) -> Figure:
    """Sweep figure: mean test R2 over seeds on a grid of two swept keys, one panel per model."""
    figure, axes = plt.subplots(1, len(models), figsize=(4.2 * len(models), 3.6), squeeze=False)
    for ax, model in zip(axes[0], models, strict=True):
        table = (
            metrics[metrics["model"] == model]
            .groupby([row, column])["r2"]
            .mean()
            .unstack(column)
            .sort_index()
        )
        image = ax.imshow(table.to_numpy(), origin="lower", cmap="viridis", aspect="auto")
        ax.set_xticks(range(len(table.columns)), [f"{v:g}" for v in table.columns])
        ax.set_yticks(range(len(table.index)), [f"{v:g}" for v in table.index])
        for (i, j), value in np.ndenumerate(table.to_numpy()):
            color = "k" if value > np.nanmean(table.to_numpy()) else "w"  # readable on viridis
            ax.text(j, i, f"{value:.3f}", ha="center", va="center", color=color, fontsize=8)
        ax.set_xlabel(f"{column} (K)")
        ax.set_ylabel(f"{row} (K)")
        ax.set_title(f"{model}: test R2")
        ax.grid(False)
        figure.colorbar(image, ax=ax, shrink=0.8)
    figure.tight_layout()
    return figure


def alpha_vs_T_figure(
    recovered: pd.DataFrame,
    truth_curves: Mapping[str, tuple[np.ndarray, np.ndarray, str]] | None,
    title: str = "",
) -> Figure:
    """Recovered alpha against ``T - Tg``, one panel per polymer, all seeds overlaid, the true
    law as a line.

    ``recovered``: columns Polymer, T (K), Tg (K), alpha and seed (one row per point and seed).
    ``truth_curves``: per polymer, ``(T - Tg grid (K), true alpha, legend label)``; None where
    the truth is unknown (measured data: no line).
    """
    polymers = list(pd.unique(recovered["Polymer"]))
    figure, axes = plt.subplots(
        1, len(polymers), figsize=(4.2 * len(polymers), 3.8), squeeze=False, sharey=True
    )
    seeds = sorted(pd.unique(recovered["seed"])) if "seed" in recovered else [None]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, polymer in zip(axes[0], polymers, strict=True):
        rows = recovered[recovered["Polymer"] == polymer]
        Tg = float(rows["Tg"].iloc[0])
        for k, seed in enumerate(seeds):
            of_seed = rows if seed is None else rows[rows["seed"] == seed]
            ax.scatter(
                of_seed["T"] - of_seed["Tg"], of_seed["alpha"], s=14, alpha=0.6,
                color=colors[k % len(colors)], label=None if seed is None else f"seed {seed}",
            )  # fmt: skip
        if truth_curves is not None and polymer in truth_curves:
            dT, alpha, label = truth_curves[polymer]
            ax.plot(dT, alpha, "k-", lw=1.2, label=label)
        ax.set_title(f"{polymer} (Tg = {Tg:g} K)")
        ax.set_xlabel("T - Tg (K)")
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("scaling exponent alpha (-)")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


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


def _recovery_panel(
    ax, recovery: pd.DataFrame, models: Sequence[str], labels: Mapping[str, str]
) -> None:
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
    ax.set_xticks(range(len(present)), [labels.get(m, m) for m in present])
    ax.set_xlabel("model (n/a: not identifiable from the model)")
    ax.set_ylabel("mean |estimate - truth| / truth (%)")
    ax.set_title(f"Scaling law: recovery error ({group})")
    ax.legend(fontsize=7)


def _cv_panel(
    ax, table: pd.DataFrame, groups: Sequence[str], models: Sequence[str], labels
) -> None:
    """Bars: the cross-validated log10 RMSE of D per group and model (held-out points), with the
    coverage of the nominal 90 % bands written above each bar."""
    present = [m for m in models if m in set(table["model"])]
    groups = [g for g in groups if g in set(table["group"])]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    width = 0.8 / max(len(present), 1)
    for k, model in enumerate(present):
        rows = table[table["model"] == model].set_index("group").reindex(groups)
        xs = np.arange(len(groups)) + (k - (len(present) - 1) / 2) * width
        ax.bar(xs, rows["rmse_log10"], width, color=colors[k % len(colors)],
               label=labels.get(model, model))  # fmt: skip
        for x, rmse, coverage in zip(xs, rows["rmse_log10"], rows["coverage"], strict=True):
            if np.isfinite(rmse):
                text = f"{rmse:.2f}" + (f"\n{coverage:.0%}" if np.isfinite(coverage) else "")
                ax.text(x, rmse, text, ha="center", va="bottom", fontsize=6)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylabel("cross-validated RMSE of log10 D")
    ax.set_title("Prediction of D at held-out points (90 % band coverage)")
    ax.legend(fontsize=7)


OVERVIEW_MIN_WIDTH = 8.0  # inches: room for the title above a single panel


def overview_figure(
    r2_table: pd.DataFrame,
    groups: Sequence[str],
    models: Sequence[str],
    subtitle: str,
    recovery: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
    cross_validation: pd.DataFrame | None = None,
) -> Figure:
    """The one-page overview of a run, a panel for each view the run has: test R2 of each model
    in each group (mean +- sd over seeds and folds) against the information ceiling of the
    group; how well each model recovers the scaling law (mean absolute relative error of each
    parameter against the truth, in percent), where the truth is known; and the cross-validated
    error of D at held-out points, where the split holds points out.

    ``r2_table``: :func:`contrastive_gs.aggregation.r2_by_model`; ``recovery``:
    :func:`contrastive_gs.aggregation.recovery_errors`; ``cross_validation``: the tidy table of
    ``results/summary/cross_validation.parquet`` at the sweep point; ``groups``, ``models``: in
    the order to draw; ``subtitle``: the sweep point shown; ``labels``: short model names.
    """
    labels = dict(labels or {})
    panels = []
    if r2_table["r2_mean"].notna().any():
        panels.append(("r2", 3))
    if recovery is not None and not recovery.empty and recovery["error_pct"].notna().any():
        panels.append(("recovery", 2))
    if cross_validation is not None and cross_validation["rmse_log10"].notna().any():
        panels.append(("cv", 2))
    if not panels:
        return message_figure("no test pair and no held-out point in this run: nothing to show")
    r2_groups = [g for g in groups if g in set(r2_table["group"].astype(str))]
    height = 4.6
    if panels[0][0] == "r2":  # a row per model and group
        height = max(height, 1.8 + 0.3 * len(r2_groups) * (r2_table["model"].nunique() + 1))
    width = max(OVERVIEW_MIN_WIDTH, 2.6 * sum(w for _, w in panels) + 0.5)
    figure, axes = plt.subplots(
        1, len(panels), figsize=(width, height),
        squeeze=False, width_ratios=[w for _, w in panels],
    )  # fmt: skip
    for ax, (panel, _) in zip(axes[0], panels, strict=True):
        if panel == "r2":
            _r2_panel(ax, r2_table, list(r2_groups), list(models))
        elif panel == "recovery":
            _recovery_panel(ax, recovery, list(models), labels)
        else:
            _cv_panel(ax, cross_validation, list(groups), list(models), labels)
    seeds = sorted(set(r2_table["seeds"]))
    seed_text = f"{seeds[0]} fit{'s' if seeds[0] > 1 else ''}" if len(seeds) == 1 else "fits"
    if panels[0][0] == "r2":
        subtitle += f"; test pairs, mean +- sd over {seed_text} (seeds and folds)"
    figure.suptitle(
        f"contrastive-gs: learning log D ratios from pairs of (M, T)\n{subtitle}", fontsize=10
    )
    figure.tight_layout(w_pad=3.0)
    return figure


def measured_vs_predicted(
    held_out: pd.DataFrame, queries: pd.DataFrame, predictions: pd.DataFrame, title: str
) -> Figure:
    """Left: measured against predicted D (log axes) at the held-out points, with their 90 %
    bands, or at the train points (in-sample) where the split holds none out.  Right: D against
    1000/T per polymer, measured points and the query points' predictions with their bands.

    ``held_out``, ``queries``: :func:`contrastive_gs.prediction.held_out_table` and
    :func:`~contrastive_gs.prediction.query_table`; ``predictions``: the point predictions of
    every fold and seed (for the measured points and the in-sample view).
    """
    figure, (parity, by_T) = plt.subplots(1, 2, figsize=(10.5, 4.4))
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    polymers = pd.unique(predictions["Polymer"])
    colors = {name: cycle[k % len(cycle)] for k, name in enumerate(polymers)}
    if len(held_out):
        shown, label = held_out, "held out (cross-validated)"
        D, D_pred = np.exp(shown["logD"]), np.exp(shown["logD_pred"])
        band = shown["half_width_log10"].replace(np.inf, np.nan).to_numpy()
        errors = np.vstack([D_pred * (1 - 10.0**-band), D_pred * (10.0**band - 1)])
    else:
        train = predictions[predictions["side"] == "train"]
        shown = (
            train.groupby("point")
            .agg(
                Polymer=("Polymer", "first"),
                logD=("logD", "first"),
                logD_pred=("logD_pred", "mean"),
            )
            .reset_index()
        )
        label, errors = "train points (in-sample: the split holds none out)", None
        D, D_pred = np.exp(shown["logD"]), np.exp(shown["logD_pred"])
    for polymer, rows in shown.groupby("Polymer", sort=False):
        at = rows.index
        yerr = None if errors is None else errors[:, shown.index.get_indexer(at)]
        parity.errorbar(
            D[at], D_pred[at], yerr=yerr, fmt="o", ms=4, capsize=2, color=colors[polymer],
            label=polymer,
        )  # fmt: skip
    finite = np.concatenate([D[np.isfinite(D)], D_pred[np.isfinite(D_pred)]])
    if len(finite):
        low, high = finite.min() / 3, finite.max() * 3
        parity.plot([low, high], [low, high], "k--", lw=1, label="measured = predicted")
    parity.set_xscale("log")
    parity.set_yscale("log")
    parity.set_xlabel("measured D (m^2/s)")
    parity.set_ylabel("predicted D (m^2/s)")
    parity.set_title(label, fontsize=8)
    parity.legend(fontsize=7)
    measured = predictions[predictions["side"] != "query"].drop_duplicates("point")
    for polymer, rows in measured.groupby("Polymer", sort=False):
        by_T.scatter(1000 / rows["T"], np.exp(rows["logD"]), s=14, color=colors[polymer],
                     label=f"{polymer} measured")  # fmt: skip
    for polymer, rows in queries.groupby("Polymer", sort=False):
        spread = np.vstack([rows["D"] - rows["D_low"], rows["D_high"] - rows["D"]])
        spread = spread if np.isfinite(spread).all() else None
        by_T.errorbar(
            1000 / rows["T"], rows["D"], yerr=spread, fmt="x", ms=7, capsize=3,
            color=colors.get(polymer, "k"), label=f"{polymer} predicted (query)",
        )  # fmt: skip
    by_T.set_yscale("log")
    by_T.set_xlabel("1000 / T (1/K)")
    by_T.set_ylabel("D (m^2/s)")
    by_T.set_title("measured points and query predictions (90 % band)", fontsize=8)
    by_T.legend(fontsize=6, ncol=2)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def message_figure(text: str) -> Figure:
    """A small figure that says why there is nothing to draw (a sweep figure of a run that
    sweeps nothing, say)."""
    figure, ax = plt.subplots(figsize=(6, 1.6))
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=10, color="0.3")
    return figure


def rule_cost_figure(costs: pd.DataFrame, title: str) -> Figure:
    """Left: wall time of each rule, summed over its jobs (seconds, log axis), with the job
    count; right: the peak memory of its largest job (MB); local rules (run by Snakemake
    itself) lighter.  ``costs``: :func:`contrastive_gs.benchmarks.rule_costs` (costliest rule
    first, drawn on top)."""
    if costs.empty:
        return message_figure("no benchmark recorded in this run")
    rows = costs.iloc[::-1]
    positions = np.arange(len(rows))
    figure, (time_ax, memory_ax) = plt.subplots(
        1, 2, figsize=(9.5, 1.2 + 0.32 * len(rows)), sharey=True
    )

    def shades(color: str) -> list:
        return [matplotlib.colors.to_rgba(color, 0.45 if local else 1.0) for local in rows["local"]]

    time_ax.barh(positions, rows["wall_s"].clip(lower=1e-2), color=shades("tab:blue"))
    time_ax.set_xscale("log")
    time_ax.set_xlabel("wall time summed over jobs (s)")
    for position, (wall, jobs) in enumerate(zip(rows["wall_s"], rows["jobs"], strict=True)):
        time_ax.annotate(f" {wall:.3g} s, {jobs} job{'s' if jobs > 1 else ''}",
                         (max(wall, 1e-2), position), va="center", fontsize=7)  # fmt: skip
    names = [f"{rule} (local)" if local else rule
             for rule, local in zip(rows["rule"], rows["local"], strict=True)]  # fmt: skip
    time_ax.set_yticks(positions, names)
    memory_ax.barh(positions, rows["peak_rss_mb"].fillna(0), color=shades("tab:orange"))
    memory_ax.set_xlabel("peak memory of one job (MB)")
    for position, peak in enumerate(rows["peak_rss_mb"]):
        memory_ax.annotate(f" {peak:.0f}", (peak if np.isfinite(peak) else 0, position),
                           va="center", fontsize=7)  # fmt: skip
    for ax in (time_ax, memory_ax):
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.25)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure
