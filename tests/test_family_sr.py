"""``sr``: symbolic regression on the lecture's pair features, a family like ``poly``: it fits,
predicts, is deterministic for a seed, saves and loads without Operon, and writes itself out."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import fit_one, make_family

from contrastive_gs import data, fit
from contrastive_gs.families import FittedModel
from contrastive_gs.laws import lecture
from contrastive_gs.pairs import FEATURES, PairSettings, make_pairs
from contrastive_gs.polymers import Polymer
from contrastive_gs.splits.points import PointSplit

FAST = {"population_size": 200, "generations": 30, "max_evaluations": 50_000}


@pytest.fixture(scope="module")
def tiny():
    """PP on 4 molar masses x 5 temperatures, noise-free, split by points (about 100 pairs)."""
    settings = data.SimulationSettings(
        law=lecture.LectureLaw(M0=100.0, D0=1e-9), values={"Ka": 140.0, "Kb": 40.0}, noise=0.0,
        noise_seed=0, M=np.linspace(40, 500, 4), T_C=np.linspace(23, 100, 5),
        polymers=(Polymer("PP", 273.0),),
    )  # fmt: skip
    points = data.simulate(settings)
    return points, make_pairs(points, PairSettings("within", None, 0), PointSplit(0.2, 0))


def test_sr_fits_the_pairs_like_the_lecture_polynomial(tiny):
    """Train R2 (120 pairs; the test side has 6) at least the degree-2 polynomial's less 0.01,
    below the information ceiling on both sides; alpha one number for all T, as for every model
    of pair features."""
    points, pairs = tiny
    result = fit_one("sr", points, pairs, **FAST)
    poly = fit_one("poly", points, pairs)
    assert result.metrics["train"]["r2"] > poly.metrics["train"]["r2"] - 0.01
    for side in ("train", "test"):
        assert result.metrics[side]["r2"] <= result.metrics[side]["r2_ceiling"] + 1e-9
    alpha = result.model.alpha(points)
    assert np.ptp(alpha) == 0.0 and points["alpha"].min() < alpha[0] < points["alpha"].max()


def test_sr_is_deterministic_for_a_seed(tiny):
    points, pairs = tiny
    family = make_family("sr", **FAST)
    first, second = (fit.fit_group(family, points, pairs, [4], "sr")[0] for _ in range(2))
    assert first.model.expression == second.model.expression
    np.testing.assert_array_equal(first.predictions["y_pred"], second.predictions["y_pred"])


def test_one_search_per_seed(tiny):
    points, pairs = tiny
    models = make_family("sr", **FAST).fit(points, pairs[pairs["split"] == "train"], [0, 1], "sr")
    assert len(models) == 2 and models[0] is not models[1]


def test_the_fitted_expression_is_the_model(tiny, tmp_path):
    """Saved and loaded, it predicts the same; its closed form in the unscaled features gives
    its predictions."""
    import sympy as sp

    points, pairs = tiny
    model = fit_one("sr", points, pairs, **FAST).model
    path = tmp_path / "model.pkl"
    model.save(path)
    loaded = FittedModel.load(path)
    X = pairs[FEATURES].to_numpy()
    np.testing.assert_array_equal(loaded.predict_features(X), model.predict_features(X))
    form = loaded.closed_form()
    assert form["expression"].startswith("logD_ratio = ") and form["complexity"] >= 1
    unscaled = sp.lambdify(sp.symbols(FEATURES), loaded.unscaled())
    direct = np.broadcast_to(unscaled(*X.T), len(X))
    np.testing.assert_allclose(direct, model.predict_features(X), rtol=1e-9, atol=1e-9)
    assert "pyoperon" not in str(path.read_bytes()[:2000])


def test_cost_grows_with_the_evaluations():
    assert (
        make_family("sr", max_evaluations=400_000).cost()
        == 2 * make_family("sr", max_evaluations=200_000).cost()
    )
