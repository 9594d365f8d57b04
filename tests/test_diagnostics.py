"""Residual diagnostics, the information ceiling of the pair features, PCA and tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import shapiro as scipy_shapiro
from sklearn.metrics import mean_squared_error
from sklearn.metrics import r2_score as sklearn_r2

from contrastive_gs import diagnostics
from contrastive_gs.pairs import FEATURES, TARGET, select_group

Y_TRUE = np.array([1.0, 2.0, 3.0, 4.0, 6.0])
Y_PRED = np.array([1.5, 1.0, 3.0, 5.0, 5.5])  # residuals 0.5, -1, 0, 1, -0.5


def _lecture_compute_residuals(y_true, y_pred):
    """The lecture's compute_residuals, verbatim apart from layout."""
    y_true = y_true.copy().ravel()
    y_pred = y_pred.copy().ravel()
    residuals = y_pred - y_true
    return {
        "mean": residuals.mean(),
        "std": residuals.std(),
        "rmse": np.sqrt(mean_squared_error(y_true, y_pred)),
        "min": residuals.min(),
        "max": residuals.max(),
        "r2": sklearn_r2(y_true, y_pred),
    }


def test_residual_stats_hand_example():
    """Residuals (pred - true) 0.5, -1, 0, 1, -0.5: mean 0, std = rmse = sqrt(0.5), min -1, max 1;
    y mean 3.2, SS_tot 14.8, SS_res 2.5, R2 = 1 - 2.5/14.8."""
    stats = diagnostics.residual_stats(Y_TRUE, Y_PRED)
    assert stats["n"] == 5
    assert stats["mean"] == pytest.approx(0.0, abs=1e-15)
    assert stats["std"] == pytest.approx(np.sqrt(0.5), rel=1e-15)
    assert stats["rmse"] == pytest.approx(np.sqrt(0.5), rel=1e-15)
    assert (stats["min"], stats["max"]) == (-1.0, 1.0)
    assert stats["r2"] == pytest.approx(1 - 2.5 / 14.8, rel=1e-14)


def test_residual_stats_equal_lecture_compute_residuals():
    """Same values as the lecture's compute_residuals (sklearn r2 and RMSE, numpy std ddof 0)."""
    rng = np.random.default_rng(0)
    y_true = rng.normal(size=200)
    y_pred = y_true + rng.normal(0.1, 0.3, size=200)
    stats = diagnostics.residual_stats(y_true, y_pred)
    for key, value in _lecture_compute_residuals(y_true, y_pred).items():
        assert stats[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key


def test_r2_score_equals_sklearn():
    """r2_score equals sklearn.metrics.r2_score, including a negative R2."""
    rng = np.random.default_rng(1)
    y_true = rng.normal(size=50)
    for y_pred in (y_true + rng.normal(0, 0.2, 50), -y_true, np.full(50, y_true.mean())):
        assert diagnostics.r2_score(y_true, y_pred) == pytest.approx(
            sklearn_r2(y_true, y_pred), rel=1e-12, abs=1e-15
        )
    assert diagnostics.r2_score([1, 2, 3], [1, 2, 3]) == 1.0


@pytest.mark.parametrize(
    ("X", "y", "expected"),
    [
        # groups {0,1}: y 0, 2 -> mean 1; {2,3}: y 1, 1 -> mean 1; predictions 1,1,1,1 = mean(y):
        # SS_res = 1 + 1 + 0 + 0 = 2 = SS_tot, R2 = 0
        ([[0], [0], [1], [1]], [0, 2, 1, 1], 0.0),
        # groups means 1 and 3; mean(y) = 2; SS_res = 1 + 1 = 2; SS_tot = 4 + 0 + 1 + 1 = 6: 2/3
        ([[0], [0], [1], [1]], [0, 2, 3, 3], 2 / 3),
        # all features distinct: any target is reachable, ceiling 1
        ([[0, 1], [1, 0], [1, 1]], [5, -3, 2], 1.0),
        # rows equal on both columns share a class: (0,1) twice with y 1, 3 -> mean 2; (1,1): 5;
        # mean(y) = 3; SS_res = 1 + 1 + 0 = 2; SS_tot = 4 + 0 + 4 = 8; R2 = 1 - 2/8 = 0.75
        ([[0, 1], [0, 1], [1, 1]], [1, 3, 5], 0.75),
    ],
)
def test_information_ceiling_hand_cases(X, y, expected):
    """Group rows with equal features, predict their mean: R2 of that best prediction."""
    assert diagnostics.information_ceiling_r2(np.array(X, float), np.array(y, float)) == (
        pytest.approx(expected, abs=1e-12)
    )


@pytest.mark.parametrize(
    ("group", "expected"), [("pooled", 0.9036), ("PP", 0.9844), ("HDPE", 0.9981)]
)
def test_information_ceiling_of_lecture_pairs(lecture_pairs, group, expected):
    """The lecture's features cannot reach R2 1: ceilings 0.904 pooled, 0.984 PP, 0.998 HDPE."""
    subset = select_group(lecture_pairs, group)
    ceiling = diagnostics.information_ceiling_r2(subset[FEATURES].to_numpy(), subset[TARGET])
    assert ceiling == pytest.approx(expected, abs=5e-4)


def test_feature_classes_tolerate_rounding_noise():
    """Rows equal to ~1e-12 relative get one class; genuinely different rows get another."""
    X = np.array([[1.0, 1e-4], [1.0 + 1e-13, 1e-4 * (1 + 1e-13)], [1.0, 2e-4], [0.5, 1e-4]])
    classes = diagnostics.feature_classes(X)
    assert classes.shape == (4,)
    assert classes[0] == classes[1]
    assert len({classes[0], classes[2], classes[3]}) == 3


def test_shapiro_in_range_and_matches_scipy():
    """W in (0, 1], p in [0, 1]; equal to scipy's for fewer than 5000 residuals."""
    residuals = np.random.default_rng(0).normal(size=300)
    W, p = diagnostics.shapiro(residuals)
    assert 0 < W <= 1 and 0 <= p <= 1
    expected = scipy_shapiro(residuals)
    assert (W, p) == pytest.approx((expected.statistic, expected.pvalue), rel=1e-12)
    assert p > 0.01  # seed 0 normal sample: not rejected


def test_shapiro_rejects_skewed_sample():
    """An exponential sample (seed 0, n 500) is far from normal: p < 1e-6."""
    _, p = diagnostics.shapiro(np.random.default_rng(0).exponential(size=500))
    assert p < 1e-6


@pytest.mark.parametrize("residuals", [np.full(10, 0.3), np.zeros(100), np.array([1.0, 2.0])])
def test_shapiro_nan_for_constant_or_short_input(residuals):
    """Constant residuals or fewer than 3 give (NaN, NaN) instead of a scipy warning."""
    W, p = diagnostics.shapiro(residuals)
    assert np.isnan(W) and np.isnan(p)


def test_shapiro_subsamples_large_input():
    """More than SHAPIRO_MAX_N residuals: evaluated on 5000 evenly spaced order statistics."""
    residuals = np.random.default_rng(2).normal(size=12_000)
    W, p = diagnostics.shapiro(residuals)
    sorted_ = np.sort(residuals)
    kept = sorted_[np.linspace(0, 11_999, diagnostics.SHAPIRO_MAX_N).astype(int)]
    assert (W, p) == pytest.approx(tuple(scipy_shapiro(kept)), rel=1e-12)
    assert 0.99 < W <= 1


def test_split_stats_keys():
    """split_stats adds Shapiro W, p and the split's ceiling to residual_stats."""
    X = np.array([[0.0], [0.0], [1.0], [1.0], [2.0]])
    stats = diagnostics.split_stats(X, Y_TRUE, Y_PRED)
    assert set(stats) == set(diagnostics.STAT_KEYS) - {"r2_ceiling_group"}
    # classes {0,1}: mean 1.5; {2,3}: mean 3.5; {4}: 6 -> SS_res 0.5 + 0.5 = 1; SS_tot 14.8
    assert stats["r2_ceiling"] == pytest.approx(1 - 1 / 14.8, rel=1e-12)
    assert stats["shapiro_W"] == pytest.approx(scipy_shapiro(Y_PRED - Y_TRUE).statistic)


def test_pca_projection(lecture_pairs):
    """PCA of the standardised lecture features: 2 components, explained variance <= 100 %."""
    X = lecture_pairs[FEATURES].to_numpy()
    projection, explained = diagnostics.pca_projection(X)
    assert projection.shape == (len(X), 2)
    assert explained.shape == (2,)
    assert np.all(explained > 0) and explained[0] >= explained[1]
    assert explained.sum() <= 100 + 1e-9
    # Tg_diff is constant (0): the two varying features carry all the variance
    assert explained.sum() == pytest.approx(100.0, abs=1e-6)
    np.testing.assert_allclose(projection.mean(axis=0), 0, atol=1e-12)


def test_pca_projection_hand_case():
    """Standardised columns a, a, s with corr(a, s) = c: correlation eigenvalues 0 and
    (3 +- sqrt(1 + 8 c^2)) / 2, so two components explain 100 % and the first 100 lambda_1 / 3."""
    x = np.arange(10.0)
    c = np.corrcoef(x, np.sin(x))[0, 1]
    _, explained = diagnostics.pca_projection(np.column_stack([x, 2 * x, np.sin(x)]), 2)
    assert explained.sum() == pytest.approx(100.0, abs=1e-9)
    assert explained[0] == pytest.approx(100 * (3 + np.sqrt(1 + 8 * c**2)) / 6, rel=1e-9)


def test_log_distances_are_ln1p_of_euclidean():
    Z = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    distances = diagnostics.log_distances(Z)
    assert distances[0, 1] == pytest.approx(np.log(6.0)) and distances[1, 0] == distances[0, 1]
    assert np.all(np.diag(distances) == 0.0)


def test_ordinate_recovers_a_plane_and_reports_negative_eigenvalues():
    """Points of a plane: PCoA gives their distances back with no negative eigenvalue. A centre
    at distance 1 of three points 2 apart (their circumradius is 2/sqrt 3 > 1) cannot be drawn
    in any Euclidean space: negative eigenvalues, measured."""
    rng = np.random.default_rng(0)
    plane = rng.normal(size=(30, 2)) * [3.0, 1.0]
    from scipy.spatial.distance import pdist, squareform

    coordinates, explained, negative = diagnostics.ordinate(squareform(pdist(plane)))
    np.testing.assert_allclose(pdist(coordinates), pdist(plane), atol=1e-9)
    assert explained.sum() == pytest.approx(100.0) and negative == pytest.approx(0.0, abs=1e-9)
    star = np.array([[0, 1, 1, 1], [1, 0, 2, 2], [1, 2, 0, 2], [1, 2, 2, 0]], dtype=float)
    _, _, negative = diagnostics.ordinate(star)
    B = -0.5 * (np.eye(4) - 0.25) @ star**2 @ (np.eye(4) - 0.25)
    eigenvalues = np.linalg.eigvalsh(B)
    expected = -eigenvalues[eigenvalues < 0].sum() / eigenvalues[eigenvalues > 0].sum() * 100
    assert negative == pytest.approx(expected) and negative > 1.0


def test_pcoa_projection_draws_a_seeded_sample(lecture_pairs):
    X = lecture_pairs[FEATURES].to_numpy()
    first = diagnostics.pcoa_projection(X, max_rows=200, seed=3)
    again = diagnostics.pcoa_projection(X, max_rows=200, seed=3)
    assert first.coordinates.shape == (200, 2) and first.n_rows == len(X) == 2352
    np.testing.assert_array_equal(first.rows, again.rows)
    np.testing.assert_allclose(np.abs(first.coordinates), np.abs(again.coordinates))
    assert len(np.unique(first.rows)) == 200 and np.all(np.diff(first.rows) > 0)
    assert 0 < first.explained_pct[1] <= first.explained_pct[0] < 100
    small = diagnostics.pcoa_projection(X[:50], max_rows=200, seed=3)
    np.testing.assert_array_equal(small.rows, np.arange(50))  # fewer rows than asked: all


def _metrics_by_model():
    stats = dict.fromkeys(diagnostics.STAT_KEYS, 0.5)
    return {"NN": {"train": {**stats, "r2": 0.9}, "test": stats}, "poly": {"train": stats}}


def test_metrics_frame_and_tables():
    """metrics_frame has one row per (model, split); the lecture tables rename its columns."""
    frame = diagnostics.metrics_frame(_metrics_by_model())
    assert list(frame.columns) == ["model", "split", *diagnostics.STAT_KEYS]
    assert list(zip(frame["model"], frame["split"], strict=True)) == [
        ("NN", "train"),
        ("NN", "test"),
        ("poly", "train"),
    ]
    table = diagnostics.lecture_table(frame)
    assert list(table.columns) == [
        "Model",
        "Dataset",
        "R2",
        "RMSE",
        "Mean Residual",
        "Std Residual",
        "Min Residual",
        "Max Residual",
        "R2 ceiling",
    ]
    assert table.loc[0, "R2"] == 0.9
    shapiro = diagnostics.shapiro_table(frame)
    assert list(shapiro.columns) == ["model", "dataset", "n", "W", "p-value"]
    assert isinstance(shapiro, pd.DataFrame) and len(shapiro) == 3
