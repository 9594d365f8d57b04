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
COLORS = {"train": "tab:blue", "test": "tab:orange"}
TARGET_LABEL = "logD_ratio = ln(D_i/D_j)"
RESIDUAL_LABEL = "residual (predicted - true logD_ratio)"


def _split(predictions: pd.DataFrame, split: str) -> pd.DataFrame:
    return predictions[predictions["split"] == split]


def _residuals(predictions: pd.DataFrame) -> np.ndarray:
    return (predictions["y_pred"] - predictions["y_true"]).to_numpy()


def predicted_vs_true(predictions: pd.DataFrame, title: str) -> Figure:
    """Lecture figures 1-2: predicted against true logD_ratio, train and test side by side."""
    figure, axes = plt.subplots(1, 2, figsize=(9, 4), sharex=True, sharey=True)
    low, high = predictions["y_true"].min(), predictions["y_true"].max()
    for ax, split in zip(axes, SPLITS, strict=True):
        rows = _split(predictions, split)
        ax.scatter(rows["y_true"], rows["y_pred"], s=8, alpha=0.5, color=COLORS[split])
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
        ax.scatter(rows["y_pred"], _residuals(rows), s=8, alpha=0.5, color=COLORS[split])
        ax.axhline(0, color="r", linestyle="--", lw=1)
        ax.set_title(f"{model} {split}: residuals vs predicted")
        ax.set_xlabel(f"predicted {TARGET_LABEL}")
        ax.set_ylabel("residual")

    return _model_by_split(predictions, title, draw)


def qq_plots(predictions: Mapping[str, pd.DataFrame], title: str) -> Figure:
    """Lecture figure 5: normal QQ plots of residuals (statsmodels, standardised line)."""
    import statsmodels.api as sm

    def draw(ax, model, split, rows):
        sm.qqplot(_residuals(rows), line="s", ax=ax, markersize=3, alpha=0.5)
        ax.set_title(f"QQ plot: {model} {split} residuals")

    return _model_by_split(predictions, title, draw)


def model_vs_model(
    x_predictions: pd.DataFrame, y_predictions: pd.DataFrame, x_label: str, y_label: str
) -> Figure:
    """Lecture figure 6: one model's predictions against another's, per split (same pairs)."""
    figure, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, split in zip(axes, SPLITS, strict=True):
        x = _split(x_predictions, split)["y_pred"].to_numpy()
        y = _split(y_predictions, split)["y_pred"].to_numpy()
        ax.scatter(x, y, s=8, alpha=0.5, color=COLORS[split])
        ax.plot([x.min(), x.max()], [x.min(), x.max()], "k--", lw=1)
        ax.set_title(f"{y_label} vs {x_label} ({split})")
        ax.set_xlabel(f"{x_label} predicted logD_ratio")
        ax.set_ylabel(f"{y_label} predicted logD_ratio")
    figure.tight_layout()
    return figure


def pca_scatter(projection: np.ndarray, explained_pct: np.ndarray, title: str) -> Figure:
    """Lecture figure 8: the contrastive features on their first two principal components."""
    figure, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.scatter(projection[:, 0], projection[:, 1], s=6, alpha=0.5)
    ax.set_xlabel(f"PCA component 1 ({explained_pct[0]:.1f} %)")
    ax.set_ylabel(f"PCA component 2 ({explained_pct[1]:.1f} %)")
    ax.set_title(f"PCA of contrastive features: {title}")
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
