"""Twin contrastive models: autograd alpha, known-answer recovery, determinism."""

import numpy as np
import pandas as pd
import pytest
import torch
from helpers import fit_one, make_family

from contrastive_gs import data, fit, recovery
from contrastive_gs.families import _twins as twin
from contrastive_gs.fit import PREDICTION_COLUMNS
from contrastive_gs.laws import lecture
from contrastive_gs.pairs import PairSettings, make_pairs
from contrastive_gs.polymers import Polymer
from contrastive_gs.splits.points import PointSplit

LAW = lecture.LectureLaw(M0=100.0, D0=1e-9)
LECTURE_POLYMERS = (Polymer("PP", 273.0), Polymer("HDPE", 173.0))
FAST = {"width": 16, "epochs": 300, "lr": 0.02}  # a rough fit, for speed


def simulate(polymers=LECTURE_POLYMERS, n_M=5, n_T=5, Ka=140.0, Kb=40.0, T_C=None):
    """The lecture's grid (M 40..500 g/mol, T 23..100 degC), coarser, noise-free."""
    settings = data.SimulationSettings(
        law=LAW, values={"Ka": Ka, "Kb": Kb}, noise=0.0, noise_seed=0,
        M=np.linspace(40, 500, n_M),
        T_C=np.linspace(23, 100, n_T) if T_C is None else np.asarray(T_C, dtype=float),
        polymers=tuple(polymers),
    )  # fmt: skip
    return data.simulate(settings)


@pytest.fixture(scope="module", autouse=True)
def _one_thread(one_torch_thread):
    """Tiny networks: one thread, the fits' intended setting."""


@pytest.fixture(scope="module")
def small():
    points = simulate()
    split = PointSplit(test_size=0.2, split_seed=0)
    return points, make_pairs(points, PairSettings("within", None, 0), split)


def settings(**changes) -> twin.TwinSettings:
    """Twin settings: the defaults of the ``twin`` config section (b(T, Tg)), with ``changes``."""
    return make_family("twin", **changes).settings


def torch_log_diffusivity(Ka, Kb, r_glassy, M0=100.0):
    """lecture.log_diffusivity (without ln D0) as a torch function of (ln M, 1/T, Tg)."""

    def g(X):
        T, Tg = 1.0 / X[:, 1], X[:, 2]
        H = 0.5 * (1.0 + torch.tanh(4.0 * (T - Tg) / lecture.BLEND_WIDTH_K))
        alpha = 1.0 + Ka / (Kb + (H + (1.0 - H) * r_glassy) * (T - Tg))
        return -alpha * (X[:, 0] - np.log(M0))

    return g


def test_autograd_alpha_equals_analytic_alpha():
    """-dg/d ln M of the scaling law is alpha, through Tg and the glassy blend (PMMA-like)."""
    points = simulate(
        (Polymer("PMMA", 381.15, 0.5), Polymer("PP", 273.0)),
        n_M=4, n_T=9, Ka=252.0, Kb=65.0, T_C=np.linspace(68, 148, 9),
    )  # fmt: skip
    r = np.where(points["Polymer"] == "PMMA", 0.5, 1.0)
    recovered = twin.autograd_alpha(
        torch_log_diffusivity(252.0, 65.0, torch.tensor(r)), twin.point_features(points, LAW)
    )
    expected = lecture.alpha(points["T"], points["Tg"], 252.0, 65.0, r)
    np.testing.assert_allclose(recovered, expected, rtol=0, atol=1e-10)


def test_structured_twin_recovers_scaling_law(small):
    """Known answer: noise-free lecture-like grid (5 x 5 per polymer), seed 0: Ka, Kb within 2 %."""
    points, pairs = small
    result = fit_one(
        "twin_structured", points, pairs, b_inputs="T_Tg", width=16, epochs=1000, lr=0.02
    )
    assert result.metrics["test"]["r2"] > 0.9999
    alpha = result.model.alpha(points)
    np.testing.assert_allclose(alpha, points["alpha"], rtol=0.01)
    law = recovery.fit_scaling_law(points, alpha, LAW)
    assert law.success and law.fitted == ("Ka", "Kb")
    assert law.estimates["Ka"] == pytest.approx(140.0, rel=0.02)
    assert law.estimates["Kb"] == pytest.approx(40.0, rel=0.02)


def test_structured_alpha_is_minus_dg_dlnM(small):
    """a(T, Tg) of the structured twin is its autograd -dg/d ln M (b does not depend on M)."""
    points, pairs = small
    model = twin.fit_twin(
        points, pairs[pairs["split"] == "train"], settings(**FAST), 0, True, "", LAW
    )
    by_autograd = twin.autograd_alpha(model.g, twin.point_features(points, LAW))
    np.testing.assert_allclose(model.alpha(points), by_autograd, rtol=0, atol=1e-12)


@pytest.mark.parametrize("structured", [False, True])
def test_fit_result_and_determinism(small, structured):
    """Same seed, same numbers (seed 0 twice); another seed, other numbers; FitResult as fit's."""
    points, pairs = small
    name = "twin_structured" if structured else "twin"
    first = fit_one(name, points, pairs, 0, **FAST)
    again = fit_one(name, points, pairs, 0, **FAST)
    other = fit_one(name, points, pairs, 1, **FAST)
    assert list(first.predictions.columns) == PREDICTION_COLUMNS
    assert set(first.metrics) == {"train", "test"}
    assert first.metrics["test"]["n"] == (pairs["split"] == "test").sum()
    pd.testing.assert_frame_equal(first.predictions, again.predictions)
    np.testing.assert_array_equal(first.model.alpha(points), again.model.alpha(points))
    assert not np.array_equal(first.predictions["y_pred"], other.predictions["y_pred"])
    # pair predictions are differences of g: g recovers ln D up to a constant per polymer
    g = first.model.log_diffusivity(points)
    np.testing.assert_allclose(
        first.predictions["y_pred"], g[pairs["i"]] - g[pairs["j"]], rtol=0, atol=1e-12
    )
    assert first.metrics["test"]["r2"] > 0.99


def test_unstructured_twin_alpha_near_truth(small):
    """The plain twin, 300 epochs only (seed 0): alpha by autograd within 8 % of the truth on
    average (the lecture's models on pair features: ~20 %); worst at the grid's edges in M."""
    points, pairs = small
    result = fit_one("twin", points, pairs, 0, **FAST)
    error = np.abs(result.model.alpha(points) / points["alpha"] - 1)
    assert error.mean() < 0.08


def test_structured_twin_with_b_of_Tg(small):
    """b(Tg) and ln(M/M0) with the known M0 = 100 g/mol (seed 0): alpha within 1 %."""
    points, pairs = small
    b_of_Tg = {"width": 16, "epochs": 1000, "lr": 0.02, "b_inputs": "Tg"}
    result = fit_one("twin_structured", points, pairs, 0, **b_of_Tg)
    assert result.model.log_reference_mass == pytest.approx(np.log(100.0))
    np.testing.assert_allclose(result.model.alpha(points), points["alpha"], rtol=0.01)
    with pytest.raises(ValueError, match="M0"):
        from contrastive_gs.laws.blob import BlobLaw

        blob = BlobLaw(14.0, 2.0, 1e-9, 0.0)  # no known reference of ln N
        twin.fit_twin(
            points, pairs[pairs["split"] == "train"], settings(**b_of_Tg), 0, True, "", blob
        )


def test_float32_runs(small):
    points, pairs = small
    float32 = settings(width=8, epochs=20, dtype="float32")
    model = twin.fit_twin(points, pairs[pairs["split"] == "train"], float32, 0, True, "", LAW)
    assert np.all(np.isfinite(model.alpha(points)))


@pytest.mark.parametrize(
    "bad",
    [
        {"width": 0}, {"lr": 0.0}, {"epochs": 0}, {"dtype": "float16"}, {"activation": "elu"},
        {"b_inputs": "T"}, {"final_fraction": 1.0}, {"final_lr_factor": 0.0},
    ],
)  # fmt: skip
def test_settings_are_validated_by_the_schema(lecture_config, schema, bad):
    """The schema, the one validator, refuses each bad twin setting naming its key."""
    from contrastive_gs import config

    lecture_config["twin_structured"].update(bad)
    key = next(iter(bad))
    with pytest.raises(config.ConfigError, match=f"'twin_structured.{key}'"):
        config.validate_config(lecture_config, schema)


def test_batch_yields_every_group_and_seed(small):
    points, pairs = small
    family = make_family("twin", width=4, epochs=5)
    results = list(
        fit.fit_batch(family, points, {0: fit.FoldPairs(pairs)}, ["pooled", "PP"], [0, 1])
    )
    assert [(g, s) for g, _, s, _ in results] == [
        ("pooled", 0), ("pooled", 1), ("PP", 0), ("PP", 1)
    ]  # fmt: skip
    PP_pairs = results[2][3].predictions
    assert len(PP_pairs) == ((pairs["Polymer_i"] == "PP") & (pairs["Polymer_j"] == "PP")).sum()


def test_known_answer_lecture_law_within_0_1_percent():
    """Noise-free lecture grid (7 x 7, PP), points split: the structured twin (the defaults:
    b(Tg), 2000 epochs) gives alpha whose law is Ka and Kb within 0.1 %; the kernel within 1e-6."""
    points = simulate((LECTURE_POLYMERS[0],), n_M=7, n_T=7)
    pairs = make_pairs(points, PairSettings("within", None, 0), PointSplit(0.2, 0))
    twin_fit = fit_one("twin_structured", points, pairs, 0)
    law = recovery.fit_scaling_law(points, twin_fit.model.alpha(points), LAW)
    kernel_fit = fit_one("kernel", points, pairs, 0, bootstrap=0).model
    for name, truth in (("Ka", 140.0), ("Kb", 40.0)):
        assert law.estimates[name] == pytest.approx(truth, rel=1e-3)
        assert kernel_fit.values[name] == pytest.approx(truth, rel=1e-6)
