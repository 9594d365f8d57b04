"""Predictions of D: anchored on measured points of the same polymer, cross-validated, with
calibrated bands."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import make_family

from contrastive_gs import data, fit, prediction
from contrastive_gs.laws import lecture
from contrastive_gs.pairs import PairSettings, fold_plans, fold_sides, select_group, select_points
from contrastive_gs.polymers import Polymer
from contrastive_gs.splits.k_fold import KFoldSplit

LAW = lecture.LectureLaw(M0=100.0, D0=1e-9)


def lecture_points(noise: float) -> pd.DataFrame:
    settings = data.SimulationSettings(
        law=LAW, values={"Ka": 140.0, "Kb": 40.0}, noise=noise, noise_seed=5,
        M=np.linspace(40, 500, 7), T_C=np.linspace(23, 100, 7),
        polymers=(Polymer("PP", 273.0), Polymer("HDPE", 173.0)),
    )  # fmt: skip
    return data.simulate(settings)


def cross_validated(points: pd.DataFrame, name: str, group: str, **changes) -> pd.DataFrame:
    """Point predictions of every fold of a 3-fold split (33 % held out per fold)."""
    settings, split = PairSettings("within", None, 0), KFoldSplit(k=3, split_seed=0)
    family = make_family(name, **changes)
    frames = []
    for fold, (plan, side) in enumerate(
        zip(fold_plans(points, settings, split), fold_sides(points, "within", split), strict=True)
    ):
        pairs = select_group(plan.build(0, plan.n_pairs), group)
        [result] = fit.fit_group(family, points, pairs, [0], f"fold {fold}")
        of = select_points(points, group).index.to_numpy()
        table = prediction.point_predictions(
            result.model, points.iloc[of].reset_index(drop=True), side[of], rows=of
        )
        frames.append(table.assign(point=of[table["point"]], fold=fold, seed=0))
    return pd.concat(frames, ignore_index=True)


def test_anchoring_of_an_exact_model_is_exact():
    """The kernel on noise-free data predicts every held-out D to rounding, from anchors of the
    same polymer only; a query of a polymer without anchors gets NaN."""
    points = lecture_points(0.0)
    predicted = cross_validated(points, "kernel", "pooled")
    held_out = prediction.held_out_table(predicted)
    assert len(held_out) == len(points)  # every point held out once
    assert np.abs(held_out["error_log10"]).max() < 1e-10
    model = make_family("kernel").fit(points, fit_pairs(points), [0], "")[0]
    lonely = pd.concat([points, points.iloc[:1].assign(Polymer="PS")], ignore_index=True)
    sides = np.array(["train"] * len(points) + ["query"], dtype=object)
    table = prediction.point_predictions(model, lonely, sides)
    assert np.isnan(table["logD_pred"].iloc[-1]) and table["n_anchors"].iloc[-1] == 0


def test_held_out_points_of_a_polymer_without_train_points_are_counted_as_unanchored():
    """Every PP point held out at once (as leave_out: polymer does): no PP point has an anchor,
    so none is predicted and each is counted; with k folds every held-out point is anchored."""
    points = lecture_points(0.0)
    model = make_family("kernel").fit(points, fit_pairs(points), [0], "")[0]
    pp = (points["Polymer"] == "PP").to_numpy()
    sides = np.where(pp, "test", "train").astype(object)
    table = prediction.point_predictions(model, points, sides).assign(fold=0, seed=0)
    assert table.loc[pp, "logD_pred"].isna().all()
    assert prediction.unanchored_held_out(table) == pp.sum()
    assert prediction.unanchored_held_out(cross_validated(points, "kernel", "pooled")) == 0


def fit_pairs(points):
    from contrastive_gs.splits.temperature import TemperatureSplit

    [plan] = fold_plans(points, PairSettings("within", None, 0), TemperatureSplit(1000.0))
    return plan.build(0, plan.n_pairs)


def test_structured_twin_predicts_held_out_D_within_1_percent(one_torch_thread):
    """Noise-free lecture grid, 3 folds (a third of the points held out in each): the structured
    twin's anchored predictions of D at the held-out points within 1 % (PP)."""
    points = lecture_points(0.0)
    held_out = prediction.held_out_table(cross_validated(points, "twin_structured", "PP"))
    relative = np.abs(10.0 ** held_out["error_log10"] - 1.0)
    assert len(held_out) == 49
    assert relative.max() < 0.01


def test_bands_are_calibrated_under_noise():
    """sigma 0.05 on ln D, the kernel's cross-validated predictions of 98 held-out points: the
    nominal 90 % bands of a measurement (CV+, calibrated on the other folds) cover 80 to 98 % of
    the measurements; the bootstrap bands of the true D (100 draws) cover 75 to 98 % of the true
    D on average over 4 noise draws (one draw's coverage is noisy: its errors are shared within
    a fold); a 90 % band needs 9 other residuals."""
    coverage = []
    for noise_seed in (1, 2, 3, 4):
        points = data.simulate(
            data.SimulationSettings(
                law=LAW, values={"Ka": 140.0, "Kb": 40.0}, noise=0.05, noise_seed=noise_seed,
                M=np.linspace(40, 500, 7), T_C=np.linspace(23, 100, 7),
                polymers=(Polymer("PP", 273.0), Polymer("HDPE", 173.0)),
            )
        )  # fmt: skip
        predicted = cross_validated(points, "kernel", "pooled", bootstrap=100)
        summary = prediction.cross_validation_summary(prediction.held_out_table(predicted))
        assert summary["n_held_out"] == 98
        assert 0.80 <= summary["coverage"] <= 0.98
        coverage.append(summary["ci_coverage_of_truth"])
    assert 0.75 <= np.mean(coverage) <= 0.98
    assert prediction.conformal_quantile(np.arange(8.0)) == np.inf
    assert prediction.conformal_quantile(np.arange(9.0)) == 8.0


def test_query_table_bands_from_all_held_out_residuals():
    predicted = pd.DataFrame(
        {"point": [0, 0, 1], "Polymer": "PP", "M": 100.0, "T": 300.0, "Tg": 273.0,
         "side": ["query", "query", "test"], "logD": [np.nan, np.nan, -20.0],
         "logD_pred": [-20.0, -20.2, -20.1], "n_anchors": [5, 5, 5], "fold": [0, 1, 0],
         "seed": 0, "logD_true": np.nan, "ci_low": np.nan, "ci_high": np.nan, "resampled": False}
    )  # fmt: skip
    held_out = pd.DataFrame({"error_log10": np.linspace(-0.1, 0.1, 19)})
    table = prediction.query_table(predicted, held_out)
    assert len(table) == 1 and table["n_fits"].iloc[0] == 2
    assert table["D"].iloc[0] == pytest.approx(np.exp(-20.1), rel=1e-12)
    assert table["D_high"].iloc[0] / table["D"].iloc[0] == pytest.approx(10**0.1)
