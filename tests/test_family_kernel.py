"""Kernel baseline: nonlinear least squares of Ka, Kb (and r) on pairs; known answers."""

import numpy as np
import pandas as pd
import pytest
from helpers import fit_one

from contrastive_gs import data
from contrastive_gs.families import NotIdentifiable, kernel
from contrastive_gs.fit import PREDICTION_COLUMNS
from contrastive_gs.laws import lecture
from contrastive_gs.pairs import PairSettings, make_pairs
from contrastive_gs.polymers import Polymer
from contrastive_gs.splits.points import PointSplit

LAW = lecture.LectureLaw(M0=100.0, D0=1e-9)
LECTURE_POLYMERS = (Polymer("PP", 273.0), Polymer("HDPE", 173.0))
PMMA = Polymer("PMMA", 381.15, 0.5)


def points_split_pairs(points):
    """Pairs within polymers of a 0.2 points split (seed 0)."""
    return make_pairs(points, PairSettings("within", None, 0), PointSplit(0.2, 0))


def simulate(polymers, T_C, Ka, Kb, noise=0.0, noise_seed=0, n_M=7):
    settings = data.SimulationSettings(
        law=LAW, values={"Ka": Ka, "Kb": Kb}, noise=noise, noise_seed=noise_seed,
        M=np.linspace(40, 500, n_M), T_C=np.asarray(T_C, dtype=float), polymers=tuple(polymers),
    )  # fmt: skip
    return data.simulate(settings)


def lecture_points(**kwargs):
    return simulate(LECTURE_POLYMERS, np.linspace(23, 100, 7), 140.0, 40.0, **kwargs)


def glassy_points():
    """PMMA-like (Tg 381.15 K, r_glassy 0.5, Ka 252 K, Kb 65 K), T from Tg - 40 K to Tg + 40 K."""
    return simulate((PMMA,), np.linspace(PMMA.Tg - 40, PMMA.Tg + 40, 9) - 273.15, 252.0, 65.0)


def test_exact_recovery_rubbery():
    """Noise-free lecture grid: Ka, Kb exact (rel. 1e-6); r not fitted (data above Tg)."""
    points = lecture_points()
    result = fit_one("kernel", points, points_split_pairs(points))
    fitted = result.model
    assert fitted.success and fitted.fitted == ("Ka", "Kb")
    assert fitted.estimates["Ka"] == pytest.approx(140.0, rel=1e-6)
    assert fitted.estimates["Kb"] == pytest.approx(40.0, rel=1e-6)
    assert fitted.estimates["r_glassy"] == 1.0 and "r_glassy" not in fitted.stderr
    assert fitted.statuses["r_glassy"].startswith("not identifiable: no point 5 K below Tg")
    assert list(result.predictions.columns) == PREDICTION_COLUMNS
    assert result.metrics["test"]["r2"] == pytest.approx(1.0, abs=1e-10)
    np.testing.assert_allclose(fitted.alpha(points), points["alpha"], rtol=1e-9)


def test_exact_recovery_glassy_spanning_tg():
    """Noise-free PMMA-like grid spanning Tg +- 40 K: Ka, Kb and r exact."""
    points = glassy_points()
    pairs = points_split_pairs(points)
    fitted = kernel.fit_kernel(points, pairs[pairs["split"] == "train"], LAW)
    assert fitted.fitted == ("Ka", "Kb", "r_glassy")
    for name, truth in {"Ka": 252.0, "Kb": 65.0, "r_glassy": 0.5}.items():
        assert fitted.estimates[name] == pytest.approx(truth, rel=1e-6)


def test_r_held_fixed_when_asked():
    """fit_r "no": r_glassy stays at its default (1, rubbery) even across Tg; "yes" fits it on
    rubbery data, where it is not identifiable (any value fits)."""
    points = glassy_points()
    pairs = points_split_pairs(points)
    train = pairs[pairs["split"] == "train"]
    fitted = kernel.fit_kernel(points, train, LAW, fit_r=False)
    assert fitted.fitted == ("Ka", "Kb") and fitted.estimates["r_glassy"] == 1.0
    assert fitted.statuses["r_glassy"] == "held: kernel.fit_r is 'no'"
    rubbery = lecture_points()
    rubbery_pairs = points_split_pairs(rubbery)
    forced = kernel.fit_kernel(rubbery, rubbery_pairs[rubbery_pairs["split"] == "train"], LAW, True)
    assert forced.fitted == ("Ka", "Kb", "r_glassy")
    assert forced.estimates["Ka"] == pytest.approx(140.0, rel=1e-6)


def test_noisy_recovery_with_standard_errors():
    """0.05 Gaussian noise on ln D (noise seed 3): estimates within 5 %, positive stderr."""
    points = lecture_points(noise=0.05, noise_seed=3)
    pairs = points_split_pairs(points)
    fitted = kernel.fit_kernel(points, pairs[pairs["split"] == "train"], LAW)
    assert fitted.estimates["Ka"] == pytest.approx(140.0, rel=0.05)
    assert fitted.estimates["Kb"] == pytest.approx(40.0, rel=0.05)
    assert 0 < fitted.stderr["Ka"] < 10 and 0 < fitted.stderr["Kb"] < 5
    assert fitted.residual_std == pytest.approx(0.05 * np.sqrt(2), rel=0.2)


def test_spans_glass_transition():
    assert lecture.spans_glass_transition([370, 390], 381.15)
    assert not lecture.spans_glass_transition([378, 390], 381.15)  # within the 5 K margin
    assert not lecture.spans_glass_transition([300, 400], [273.0, 373.0])  # each on one side
    assert lecture.spans_glass_transition([300, 250, 300], [273.0, 273.0, 173.0])


def test_linearised_start_is_exact_on_exact_alpha():
    dT = np.linspace(-40, 40, 9)
    alpha = lecture.alpha(dT + 381.15, 381.15, 252.0, 65.0, 0.5)
    Ka, Kb, r = lecture.linearised_start(dT, alpha, fit_r=True)
    assert (Ka, Kb) == (pytest.approx(252.0, rel=1e-3), pytest.approx(65.0, rel=1e-3))
    assert r == pytest.approx(0.5, rel=1e-2)


def test_kernel_alpha_and_predictions_are_the_law():
    """The fitted model's alpha and pair predictions are the law's at the estimates."""
    points = lecture_points()
    pairs = points_split_pairs(points)
    fitted = kernel.fit_kernel(points, pairs[pairs["split"] == "train"], LAW)
    np.testing.assert_allclose(fitted.alpha(points), LAW.alpha(points, fitted.estimates))
    logD = LAW.log_diffusivity(points, fitted.estimates)
    expected = logD[pairs["i"].to_numpy()] - logD[pairs["j"].to_numpy()]
    np.testing.assert_allclose(fitted.predict_pairs(points, pairs), expected, atol=1e-12)


def test_bootstrap_interval_covers_the_truth_and_flags():
    """Noise 0.05 on ln D (seed 3), 200 bootstrap resamples of the points: 95 % intervals that
    hold the truth and are wider than +- 2 standard errors (pairs are not independent); an
    exactly determined fit is flagged poorly determined."""
    points = lecture_points(noise=0.05, noise_seed=3)
    pairs = points_split_pairs(points)
    train = pairs[pairs["split"] == "train"]
    fitted = kernel.fit_kernel(points, train, LAW, bootstrap=200, bootstrap_seed=0)
    for name, truth in (("Ka", 140.0), ("Kb", 40.0)):
        low, high = fitted.interval[name]
        assert low < truth < high
        assert high - low > 4 * fitted.stderr[name]
        assert fitted.statuses[name] == "estimated"
    record = fitted.law_fit()
    assert record["interval"]["Ka"] == list(fitted.interval["Ka"])
    three = points[(points["Polymer"] == "PP") & (points["M"] == points["M"].min())].iloc[:3]
    two_M = pd.concat([three, three.assign(M=three["M"] * 2, logD=three["logD"] - 1.0)])
    two_M = two_M.reset_index(drop=True)
    exact = kernel.fit_kernel(two_M, pairs_of(two_M), LAW)
    assert any(s.startswith("poorly determined") for s in exact.statuses.values())


def pairs_of(points):
    """All pairs of the points within polymers, as train pairs."""
    from contrastive_gs.splits.temperature import TemperatureSplit

    return make_pairs(points, PairSettings("within", None, 0), TemperatureSplit(1000.0))


def test_nothing_identifiable_holds_the_law():
    """One molar mass under the lecture's law: nothing is fitted, the law's values are held,
    and the predictions are those of the held law."""
    points = lecture_points()
    one_M = points[points["M"] == points["M"].min()].reset_index(drop=True)
    fitted = kernel.fit_kernel(one_M, pairs_of(one_M), LAW)
    assert fitted.fitted == () and fitted.success
    assert "one molar mass" in fitted.statuses["Ka"]
    assert fitted.estimates == {"Ka": 140.0, "Kb": 40.0, "r_glassy": 1.0}


def test_alpha_is_not_identifiable_where_the_fitted_law_has_a_pole_among_the_points():
    """A fit to rubbery train points can put the law's pole among glassy points it did not see:
    its alpha there is not identifiable (with the reason), not an error."""
    points = glassy_points()  # T - Tg from -40 K to +40 K
    fitted = kernel.KernelFit(
        LAW, values={"Ka": 252.0, "Kb": 5.0}, stderr={"Ka": 1.0, "Kb": 1.0},
        fitted=("Ka", "Kb"), success=True, message="", n_pairs=10, residual_std=0.0,
    )  # fmt: skip  # r_glassy held at 1: Kb + r (T - Tg) = -35 K at the coldest point
    alpha = fitted.alpha(points)
    assert isinstance(alpha, NotIdentifiable)
    assert "not valid at these points" in str(alpha) and "Kb + r (T - Tg) = -35 K" in str(alpha)
    rubbery = points[points["T"] > points["Tg"]]
    np.testing.assert_allclose(
        fitted.alpha(rubbery), 1 + 252.0 / (5.0 + rubbery["T"] - rubbery["Tg"])
    )
