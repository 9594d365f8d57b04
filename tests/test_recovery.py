"""Recovering the scaling law: alpha from each model family, curve_fit, summary, figure."""

import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from contrastive_gs import data, fit, io, kernel, models, physics, recovery
from contrastive_gs.pairs import PairSettings, make_pairs

LECTURE_POLYMERS = (physics.Polymer("PP", 273.0), physics.Polymer("HDPE", 173.0))


@pytest.fixture(scope="module", autouse=True)
def _one_thread(one_torch_thread):
    """Tiny networks: one thread, the fits' intended setting."""


@pytest.fixture(scope="module")
def lecture():
    settings = data.SimulationSettings(
        Ka=140.0, Kb=40.0, M0=100.0, D0=1e-9, noise=0.0, noise_seed=0,
        M=np.linspace(40, 500, 7), T_C=np.linspace(23, 100, 7), polymers=LECTURE_POLYMERS,
    )  # fmt: skip
    points = data.simulate(settings)
    return points, make_pairs(points, PairSettings("within", "pairs", 0.2, 0))


def test_curve_fit_recovers_exact_parameters_rubbery(lecture):
    points, _ = lecture
    law = recovery.fit_scaling_law(points["T"], points["Tg"], points["alpha"])
    assert law.success and law.reason == "" and law.fitted == ("Ka", "Kb")
    assert law.estimates["Ka"] == pytest.approx(140.0, rel=1e-8)
    assert law.estimates["Kb"] == pytest.approx(40.0, rel=1e-8)
    assert law.estimates["r_glassy"] == 1.0


def test_curve_fit_recovers_r_when_data_span_tg():
    T = np.linspace(381.15 - 40, 381.15 + 40, 17)
    alpha = physics.alpha(T, 381.15, 252.0, 65.0, 0.5)
    law = recovery.fit_scaling_law(T, 381.15, alpha)
    assert law.success and law.fitted == ("Ka", "Kb", "r_glassy")
    for name, truth in {"Ka": 252.0, "Kb": 65.0, "r_glassy": 0.5}.items():
        assert law.estimates[name] == pytest.approx(truth, rel=1e-8)
    fixed = recovery.fit_scaling_law(T, 381.15, alpha, r_fixed=0.5)
    assert fixed.fitted == ("Ka", "Kb") and fixed.estimates["r_glassy"] == 0.5
    assert fixed.estimates["Ka"] == pytest.approx(252.0, rel=1e-8)


def test_constant_alpha_is_ill_posed_not_an_error():
    T = np.linspace(296, 373, 7)
    law = recovery.fit_scaling_law(T, 273.0, np.full(7, 2.4))
    assert not law.success and "constant" in law.reason
    assert np.isnan(law.estimates["Ka"]) and np.isnan(law.estimates["Kb"])
    one_T = recovery.fit_scaling_law(np.full(5, 300.0), 273.0, np.linspace(2, 3, 5))
    assert not one_T.success and "distinct" in one_T.reason


def test_pair_model_alpha_of_a_linear_predictor():
    """-slope along logM_ratio at invT_diff = Tg_diff = 0, whatever the other terms."""

    def predict(X):
        return -2.5 * X[:, 0] + 1e3 * X[:, 1] + 0.3 * X[:, 0] ** 2 + 7.0

    assert recovery.pair_model_alpha(predict, 2.5) == pytest.approx(2.5, rel=1e-12)


@pytest.mark.parametrize("model_name", ["poly", "nn"])
def test_lecture_models_give_one_alpha_for_all_T(lecture, model_name):
    """The lecture's models (poly degree 2; NN 3-32-32-1, 100 epochs, seed 0) on pair features:
    alpha is the same number at every point, between the smallest and largest true alpha."""
    points, pairs = lecture
    settings = models.PolySettings() if model_name == "poly" else models.MLPSettings(epochs=100)
    result = fit.fit_group(pairs, model_name, settings, seed=0)
    alpha = recovery.alpha_estimates(model_name, result, points)
    assert alpha.shape == (len(points),) and np.ptp(alpha) == 0.0
    assert points["alpha"].min() < alpha[0] < points["alpha"].max()
    predictor = recovery.pair_model_predictor(
        model_name, result.model, result.x_scaler, result.y_scaler
    )
    assert recovery.alpha_estimates(model_name, predictor, points)[0] == alpha[0]
    np.testing.assert_allclose(
        predictor(pairs[["logM_ratio", "invT_diff", "Tg_diff"]].to_numpy())[:50],
        result.predictions["y_pred"].to_numpy()[:50],
        rtol=1e-6, atol=1e-9,
    )  # fmt: skip
    law = recovery.fit_scaling_law(points["T"], points["Tg"], alpha)
    assert not law.success and np.isnan(law.estimates["Ka"])


def test_kernel_alpha_estimates(lecture):
    points, pairs = lecture
    result = fit.fit_group(pairs, "kernel", kernel.KernelSettings(), 0, points=points)
    for model in (result, result.model):
        np.testing.assert_allclose(
            recovery.alpha_estimates("kernel", model, points), points["alpha"], rtol=1e-9
        )
    with pytest.raises(ValueError, match="family"):
        recovery.alpha_estimates("svm", result, points)


def test_summary_over_seeds_is_json_ready():
    fits = [
        recovery.ScalingLawFit(
            {"Ka": ka, "Kb": 40.0, "r_glassy": 1.0},
            {"Ka": 0.1, "Kb": 0.1, "r_glassy": 0.0},
            ("Ka", "Kb"),
            True,
        )  # fmt: skip
        for ka in (139.0, 141.0, 143.0)
    ]
    fits.append(
        recovery.ScalingLawFit(
            {"Ka": np.nan, "Kb": np.nan, "r_glassy": 1.0},
            {"Ka": np.nan, "Kb": np.nan},
            ("Ka", "Kb"),
            False,
            "alpha is constant",
        )  # fmt: skip
    )
    summary = recovery.scaling_law_summary(fits, {"Ka": 140.0, "Kb": 40.0, "r_glassy": 1.0})
    json.dumps(summary, allow_nan=False)
    Ka = summary["parameters"]["Ka"]
    assert summary["n_fits"] == 4 and summary["n_success"] == 3
    assert summary["reasons"] == ["alpha is constant"]
    assert Ka["estimate"] == pytest.approx(141.0) and Ka["truth"] == 140.0
    assert Ka["rel_error_pct"] == pytest.approx(100 / 140)
    assert Ka["mean_abs_rel_error_pct"] == pytest.approx(100 * (1 + 1 + 3) / 3 / 140)
    assert Ka["seed_std"] == pytest.approx(2.0) and Ka["stderr"] == pytest.approx(2 / np.sqrt(3))
    assert Ka["per_fit"][-1] is None
    assert summary["parameters"]["r_glassy"]["fitted"] is False
    single = recovery.scaling_law_summary(fits[0], {"Ka": 140.0})
    assert single["parameters"]["Ka"]["stderr"] == 0.1
    assert single["parameters"]["Kb"]["truth"] is None


def test_group_truth_knows_r_only_when_the_polymers_share_it():
    r_glassy = {"PP": 1.0, "PMMA": 0.5}
    truth = {"Ka": 140.0, "Kb": 40.0}
    assert recovery.group_truth(truth, r_glassy, ["PP"]) == {**truth, "r_glassy": 1.0}
    assert recovery.group_truth(truth, r_glassy, ["PP", "PMMA"]) == truth
    assert recovery.group_truth({"Ka": None, "Kb": None}, {}, ["X"]) == {"r_glassy": 1.0}


def test_fit_records_through_json_summarise_over_seeds(lecture, tmp_path):
    """A fit's record survives JSON (NaN as null) and records summarise over seeds: the exact
    alpha gives Ka, Kb exactly and 0 % alpha error; a constant alpha is not identifiable."""
    points, _ = lecture
    exact = recovery.alpha_frame(points, points["alpha"], seed=0)
    constant = recovery.alpha_frame(points, np.full(len(points), 2.0), seed=1)
    truth = recovery.group_truth({"Ka": 140.0, "Kb": 40.0}, {}, ["PP", "HDPE"])
    records = []
    for seed, table in enumerate((exact, constant)):
        io.write_json(recovery.fit_record(table, truth), tmp_path / f"{seed}.json")
        records.append(io.read_json(tmp_path / f"{seed}.json"))
    assert records[1]["law"]["estimates"]["Ka"] is None
    summary = recovery.summary_of_records(records)
    Ka = summary["parameters"]["Ka"]
    assert (summary["n_fits"], summary["n_success"]) == (2, 1)
    assert Ka["estimate"] == pytest.approx(140.0, rel=1e-8) and Ka["truth"] == 140.0
    assert Ka["per_fit"][1] is None
    assert summary["parameters"]["alpha"]["mean_abs_rel_error_pct"] == pytest.approx(
        np.mean([0.0, recovery.alpha_error_pct(constant)])
    )
    assert any("constant" in reason for reason in summary["reasons"])


def test_alpha_vs_T_figure(lecture):
    points, _ = lecture
    frames = [
        recovery.alpha_frame(points, points["alpha"] * (1 + 0.01 * seed), model="twin", seed=seed)
        for seed in (0, 1)
    ]
    figure = recovery.alpha_vs_T_figure(pd.concat(frames), {"Ka": 140.0, "Kb": 40.0}, title="t")
    assert isinstance(figure, Figure) and len(figure.axes) == 2
    assert figure.axes[0].get_xlabel() == "T - Tg (K)"
    assert "alpha" in figure.axes[0].get_ylabel()
