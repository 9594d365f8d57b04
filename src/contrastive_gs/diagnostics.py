"""Residual diagnostics of the lecture, and the information ceiling of its features."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

STAT_KEYS = [
    "n", "r2", "rmse", "mean", "std", "min", "max", "shapiro_W", "shapiro_p",
    "r2_ceiling", "r2_ceiling_group",
]  # fmt: skip
SHAPIRO_MAX_N = 5000  # scipy's p-value is exact up to this many residuals


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Coefficient of determination, as sklearn.metrics.r2_score."""
    y_true = np.asarray(y_true, dtype=np.float64)
    total = np.sum((y_true - y_true.mean()) ** 2)
    if total == 0:
        return float("nan")  # constant targets (replicates only): R2 is not defined
    return float(1.0 - np.sum((y_true - np.asarray(y_pred)) ** 2) / total)


def residual_stats(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """The lecture's ``compute_residuals``: residual = predicted - true; std with ddof 0."""
    residuals = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return {
        "n": int(len(residuals)),
        "r2": r2_score(y_true, y_pred),
        "rmse": float(np.sqrt(np.mean(residuals**2))),
        "mean": float(residuals.mean()),
        "std": float(residuals.std()),
        "min": float(residuals.min()),
        "max": float(residuals.max()),
    }


def shapiro(residuals: np.ndarray) -> tuple[float, float]:
    """Shapiro-Wilk (W, p) of residuals; on at most SHAPIRO_MAX_N evenly spaced ones.

    Pair residuals are not independent (each point sits in many pairs), so p is descriptive
    only: it is reported as in the lecture, not as a valid test.
    """
    from scipy.stats import shapiro as scipy_shapiro

    residuals = np.asarray(residuals, dtype=np.float64)
    if len(residuals) < 3 or np.ptp(residuals) == 0:
        return float("nan"), float("nan")
    if len(residuals) > SHAPIRO_MAX_N:
        residuals = np.sort(residuals)[
            np.linspace(0, len(residuals) - 1, SHAPIRO_MAX_N).astype(int)
        ]
    result = scipy_shapiro(residuals)
    return float(result.statistic), float(result.pvalue)


def feature_classes(X: np.ndarray, digits: int = 9) -> np.ndarray:
    """Label rows of ``X`` (n, k) with equal features (to ``digits`` significant digits of each
    column's scale) by the same integer, shape (n,)."""
    X = np.asarray(X, dtype=np.float64)
    scale = np.max(np.abs(X), axis=0)
    scale[scale == 0] = 1.0
    rounded = np.round(X / scale, digits)
    return np.unique(rounded, axis=0, return_inverse=True)[1].ravel()


def information_ceiling_r2(X: np.ndarray, y: np.ndarray) -> float:
    """The best R2 that any function of the features ``X`` (n, k) can reach on targets ``y`` (n,).

    Rows with identical features must get one prediction; the best one is their mean.  Below 1,
    the features do not determine the target (the lecture's pair features do not: the target
    depends on absolute M and T, not only on their ratios and differences).
    """
    y = np.asarray(y, dtype=np.float64)
    classes = feature_classes(X)
    sums = np.bincount(classes, weights=y)
    counts = np.bincount(classes)
    return r2_score(y, (sums / counts)[classes])


def split_stats(
    X: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, ceiling: float | None = None
) -> dict[str, float]:
    """All statistics of one split: residual stats, Shapiro-Wilk and the information ceiling
    (``ceiling``, where the caller has it: it depends on the pairs, not on the model)."""
    stats = residual_stats(y_true, y_pred)
    stats["shapiro_W"], stats["shapiro_p"] = shapiro(np.asarray(y_pred) - np.asarray(y_true))
    stats["r2_ceiling"] = information_ceiling_r2(X, y_true) if ceiling is None else ceiling
    return stats


def pca_projection(X: np.ndarray, n_components: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's PCA of standardised features: projections (n, 2) and explained variance
    ratio (2,), in percent; a component that the rows cannot give (fewer rows or varying
    features than components) is 0 with NaN variance."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    X = np.asarray(X, dtype=np.float64)
    projection = np.zeros((len(X), n_components))
    explained = np.full(n_components, np.nan)
    available = min(n_components, len(X) - 1, X.shape[1])
    if available > 0:
        pca = PCA(n_components=available)
        projection[:, :available] = pca.fit_transform(StandardScaler().fit_transform(X))
        explained[:available] = pca.explained_variance_ratio_ * 100.0
    return projection, explained


@dataclass(frozen=True)
class Ordination:
    """Principal coordinates of a sample of rows (:func:`pcoa_projection`)."""

    coordinates: np.ndarray  # (n_sampled, 2): the first two principal coordinates
    explained_pct: np.ndarray  # (2,): their eigenvalues, percent of the positive eigenvalues' sum
    negative_pct: float  # |sum of the negative eigenvalues|, percent of the positive ones' sum
    rows: np.ndarray  # (n_sampled,): the rows of X drawn
    n_rows: int  # rows of X


def standardised(X: np.ndarray) -> np.ndarray:
    """``(X - mean) / std`` per column of ``X`` (n, k); a constant column becomes 0."""
    X = np.asarray(X, dtype=np.float64)
    scale = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(scale > 0, scale, 1.0)


def log_distances(Z: np.ndarray) -> np.ndarray:
    """``ln(1 + d)`` of the Euclidean distances between the rows of ``Z`` (n, k): an (n, n)
    symmetric, hollow matrix.  The logarithm keeps the order of the distances but compresses
    the large ones: the matrix is no longer Euclidean, the case the lecture suggests PCoA for."""
    from scipy.spatial.distance import pdist, squareform

    return squareform(np.log1p(pdist(np.asarray(Z, dtype=np.float64))))


def ordinate(distances: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """PCoA (scikit-bio's ``pcoa``, exact eigendecomposition) of a distance matrix (n, n): the
    first two principal coordinates (n, 2), their eigenvalues in percent of the positive
    eigenvalues' sum (2,), and the negative eigenvalues' sum in percent of the same (0 for a
    Euclidean matrix).  scikit-bio sets negative eigenvalues to zero; their sum follows from the
    trace of the centred matrix, ``sum_ij d_ij^2 / (2 n)``, the sum of all eigenvalues.  Zero
    coordinates and NaN shares where the points do not spread (fewer than 3, or all equal)."""
    from skbio import DistanceMatrix
    from skbio.stats.ordination import pcoa

    n = len(distances)
    coordinates, explained = np.zeros((n, 2)), np.full(2, np.nan)
    if n < 3 or not np.max(distances) > 0:
        return coordinates, explained, float("nan")
    result = pcoa(DistanceMatrix(distances), dimensions=n, warn_neg_eigval=False)
    eigenvalues = result.eigvals.to_numpy(np.float64)
    positive = float(eigenvalues[eigenvalues > 0].sum())
    available = min(2, int((eigenvalues > 0).sum()))
    coordinates[:, :available] = result.samples.to_numpy(np.float64)[:, :available]
    explained[:available] = eigenvalues[:available] / positive * 100.0
    total = float(np.sum(np.asarray(distances, dtype=np.float64) ** 2) / (2 * n))
    return coordinates, explained, max(positive - total, 0.0) / positive * 100.0


def pcoa_projection(X: np.ndarray, max_rows: int, seed: int) -> Ordination:
    """:func:`ordinate` of the :func:`log_distances` between at most ``max_rows`` rows of ``X``
    (n, k), :func:`standardised` over all its rows, drawn without replacement (``seed``; all
    rows if there are fewer)."""
    X = np.asarray(X, dtype=np.float64)
    rows = np.arange(len(X))
    if len(X) > max_rows:
        rows = np.sort(np.random.default_rng(seed).choice(len(X), size=max_rows, replace=False))
    coordinates, explained, negative = ordinate(log_distances(standardised(X)[rows]))
    return Ordination(coordinates, explained, negative, rows, len(X))


def lecture_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """The lecture's diagnostics table (Model, Dataset, R2, RMSE, residual mean/std/min/max)."""
    table = metrics.rename(
        columns={
            "model": "Model",
            "split": "Dataset",
            "r2": "R2",
            "rmse": "RMSE",
            "mean": "Mean Residual",
            "std": "Std Residual",
            "min": "Min Residual",
            "max": "Max Residual",
            "r2_ceiling": "R2 ceiling",
        }
    )
    columns = ["Model", "Dataset", "R2", "RMSE", "Mean Residual", "Std Residual"]
    columns += ["Min Residual", "Max Residual", "R2 ceiling"]
    return table[columns]


def metrics_frame(metrics_by_model: dict[str, dict[str, dict[str, float]]]) -> pd.DataFrame:
    """Rows (model, split) of STAT_KEYS from ``{model: {split: stats}}`` (metrics.json files)."""
    rows = [
        {"model": model, "split": split, **stats}
        for model, metrics in metrics_by_model.items()
        for split, stats in metrics.items()
    ]
    return pd.DataFrame(rows, columns=["model", "split", *STAT_KEYS])


def shapiro_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """The lecture's Shapiro-Wilk table (model, dataset, W, p-value); descriptive only, since
    pair residuals are not independent."""
    return metrics.rename(columns={"split": "dataset", "shapiro_W": "W", "shapiro_p": "p-value"})[
        ["model", "dataset", "n", "W", "p-value"]
    ]
