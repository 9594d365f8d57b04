"""Kernel baseline: nonlinear least squares of Ka, Kb (and r) on pairs; known answers."""

import numpy as np
import pytest
from helpers import fit_one

from contrastive_gs import data
from contrastive_gs.families import kernel
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
    assert fitted.estimates["r_glassy"] == 1.0 and fitted.stderr["r_glassy"] == 0.0
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
    assert fitted.stderr["r_glassy"] == 0.0
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
    np.testing.assert_allclose(
        fitted.alpha(points), LAW.alpha(points["T"], points["Tg"], fitted.estimates)
    )
    logD = LAW.log_diffusivity(points["M"], points["T"], points["Tg"], fitted.estimates)
    expected = logD[pairs["i"].to_numpy()] - logD[pairs["j"].to_numpy()]
    np.testing.assert_allclose(fitted.predict_pairs(points, pairs), expected, atol=1e-12)
