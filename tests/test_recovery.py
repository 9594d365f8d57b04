"""Recovering the scaling law: alpha from each model family, curve_fit, summary, figure."""

import json

import numpy as np
import pandas as pd
import pytest
from helpers import fit_one, make_family
from matplotlib.figure import Figure

from contrastive_gs import data, io, plots, recovery, steps
from contrastive_gs.families import NotIdentifiable
from contrastive_gs.families._pair_features import pair_model_alpha
from contrastive_gs.laws import lecture as lecture_law
from contrastive_gs.pairs import PairSettings, make_pairs
from contrastive_gs.polymers import Polymer
from contrastive_gs.splits.pairs import PairSplit

LAW = lecture_law.LectureLaw(M0=100.0, D0=1e-9)
LECTURE_POLYMERS = (Polymer("PP", 273.0), Polymer("HDPE", 173.0))


def _points(T, Tg, M=None):
    """Points at temperatures T (K) of one polymer, at two molar masses unless M is given."""
    T = np.asarray(T, dtype=float)
    M = np.resize([50.0, 200.0], len(T)) if M is None else M
    return pd.DataFrame({"Polymer": "P", "M": M, "T": T, "Tg": Tg})


@pytest.fixture(scope="module", autouse=True)
def _one_thread(one_torch_thread):
    """Tiny networks: one thread, the fits' intended setting."""


@pytest.fixture(scope="module")
def lecture():
    settings = data.SimulationSettings(
        law=LAW, values={"Ka": 140.0, "Kb": 40.0}, noise=0.0, noise_seed=0,
        M=np.linspace(40, 500, 7), T_C=np.linspace(23, 100, 7), polymers=LECTURE_POLYMERS,
    )  # fmt: skip
    points = data.simulate(settings)
    return points, make_pairs(points, PairSettings("within", None, 0), PairSplit(0.2, 0))


def test_curve_fit_recovers_exact_parameters_rubbery(lecture):
    points, _ = lecture
    law = recovery.fit_scaling_law(points, points["alpha"], LAW)
    assert law.success and law.reason == "" and law.fitted == ("Ka", "Kb")
    assert law.estimates["Ka"] == pytest.approx(140.0, rel=1e-8)
    assert law.estimates["Kb"] == pytest.approx(40.0, rel=1e-8)
    assert law.estimates["r_glassy"] == 1.0


def test_curve_fit_recovers_r_when_data_span_tg():
    T = np.linspace(381.15 - 40, 381.15 + 40, 17)
    alpha = lecture_law.alpha(T, 381.15, 252.0, 65.0, 0.5)
    points = _points(T, 381.15)
    law = recovery.fit_scaling_law(points, alpha, LAW)
    assert law.success and law.fitted == ("Ka", "Kb", "r_glassy")
    for name, truth in {"Ka": 252.0, "Kb": 65.0, "r_glassy": 0.5}.items():
        assert law.estimates[name] == pytest.approx(truth, rel=1e-8)
    above = T > 381.15 + 5  # rubbery points only: r_glassy stays at its default, 1
    rubbery = recovery.fit_scaling_law(points[above], alpha[above], LAW)
    assert rubbery.fitted == ("Ka", "Kb") and rubbery.estimates["r_glassy"] == 1.0
    assert rubbery.estimates["Ka"] == pytest.approx(252.0, rel=1e-6)


def test_constant_alpha_is_ill_posed_not_an_error():
    T = np.linspace(296, 373, 7)
    law = recovery.fit_scaling_law(_points(T, 273.0), np.full(7, 2.4), LAW)
    assert not law.success and "constant" in law.reason
    assert np.isnan(law.estimates["Ka"]) and np.isnan(law.estimates["Kb"])
    one_T = recovery.fit_scaling_law(_points(np.full(5, 300.0), 273.0), np.linspace(2, 3, 5), LAW)
    assert not one_T.success and "no parameter is identifiable" in one_T.reason
    assert "1 temperature" in one_T.statuses["Ka"]


def test_pair_model_alpha_of_a_linear_predictor():
    """-slope along logM_ratio at invT_diff = Tg_diff = 0, whatever the other terms."""

    def predict(X):
        return -2.5 * X[:, 0] + 1e3 * X[:, 1] + 0.3 * X[:, 0] ** 2 + 7.0

    assert pair_model_alpha(predict, 2.5) == pytest.approx(2.5, rel=1e-12)


@pytest.mark.parametrize("model_name", ["poly", "nn", "lasso"])
def test_lecture_models_give_one_alpha_for_all_T(lecture, model_name):
    """The models of pair features (poly degree 2; NN 3-32-32-1, 100 epochs, seed 0; lasso):
    alpha is the same number at every point, between the smallest and largest true alpha; the
    law fitted to it is not identifiable."""
    points, pairs = lecture
    changes = {"epochs": 100} if model_name == "nn" else {}
    result = fit_one(model_name, points, pairs, **changes)
    alpha = result.model.alpha(points)
    assert alpha.shape == (len(points),) and np.ptp(alpha) == 0.0
    assert points["alpha"].min() < alpha[0] < points["alpha"].max()
    np.testing.assert_allclose(
        result.model.predict_features(pairs[["logM_ratio", "invT_diff", "Tg_diff"]].to_numpy()),
        result.predictions["y_pred"].to_numpy(),
        rtol=1e-12,
    )
    law = recovery.fit_scaling_law(points, alpha, LAW)
    assert not law.success and np.isnan(law.estimates["Ka"])


def test_one_molar_mass_gives_no_alpha_not_a_crash(lecture):
    """Points of one M: a model of pair features says alpha is not identifiable, and the
    record of the law says why."""
    points, pairs = lecture
    model = fit_one("poly", points, pairs).model
    one_M = points[points["M"] == points["M"].min()]
    alpha = model.alpha(one_M)
    assert isinstance(alpha, NotIdentifiable) and "one molar mass" in str(alpha)
    table = recovery.alpha_frame(one_M, np.nan, seed=0)
    statuses = make_family("poly").identifiability(one_M)
    assert statuses["alpha"] == str(alpha)
    record = recovery.fit_record(table, {"Ka": 140.0}, LAW, statuses)
    assert not record["law"]["success"] and "one molar mass" in record["law"]["reason"]
    assert record["alpha_error_pct"] is None and record["alpha_status"] == str(alpha)


def test_kernel_alpha_estimates(lecture):
    points, pairs = lecture
    result = fit_one("kernel", points, pairs)
    np.testing.assert_allclose(result.model.alpha(points), points["alpha"], rtol=1e-9)


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
    pp, pmma = Polymer("PP", 273.0), Polymer("PMMA", 381.15, 0.5)
    truth = {"Ka": 140.0, "Kb": 40.0}
    assert LAW.group_truth(truth, [pp]) == {**truth, "r_glassy": 1.0}
    assert LAW.group_truth(truth, [pp, pmma]) == truth
    assert LAW.group_truth({"Ka": None, "Kb": None}, [Polymer("X", 300.0)]) == {"r_glassy": 1.0}


def test_fit_records_through_json_summarise_over_seeds(lecture, tmp_path):
    """A fit's record survives JSON (NaN as null) and records summarise over seeds: the exact
    alpha gives Ka, Kb exactly and 0 % alpha error; a constant alpha is not identifiable."""
    points, _ = lecture
    exact = recovery.alpha_frame(points, points["alpha"], seed=0)
    constant = recovery.alpha_frame(points, np.full(len(points), 2.0), seed=1)
    truth = LAW.group_truth({"Ka": 140.0, "Kb": 40.0}, LECTURE_POLYMERS)
    records = []
    for seed, table in enumerate((exact, constant)):
        statuses = {"alpha": "estimated", **LAW.identifiability(table)}
        io.write_json(recovery.fit_record(table, truth, LAW, statuses), tmp_path / f"{seed}.json")
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
    dT_range = {"PP": (23.15, 100.15), "HDPE": (123.15, 200.15)}
    curves = steps.truth_curves(LAW, {"Ka": 140.0, "Kb": 40.0}, LECTURE_POLYMERS, dT_range)
    assert curves["PP"][2] == "truth: Ka=140 K, Kb=40 K"
    np.testing.assert_allclose(curves["PP"][1][0], lecture_law.alpha(296.15, 273.0, 140, 40))
    assert steps.truth_curves(LAW, {"Ka": None, "Kb": None}, LECTURE_POLYMERS, dT_range) is None
    figure = plots.alpha_vs_T_figure(pd.concat(frames), curves, title="t")
    assert isinstance(figure, Figure) and len(figure.axes) == 2
    assert figure.axes[0].get_xlabel() == "T - Tg (K)"
    assert "alpha" in figure.axes[0].get_ylabel()


def test_held_parameters_and_summary_statuses():
    """A parameter held in every fit has no estimate in the summary, and its status; statuses
    that differ between fits are counted."""
    fits = [
        recovery.ScalingLawFit(
            {"Ka": 140.0, "Kb": 40.0, "r_glassy": 1.0},
            {"Ka": 1.0, "Kb": 1.0, "r_glassy": 0.0},
            ("Ka", "Kb"),
            True,
            "",
            10,
            {"Ka": "estimated", "Kb": kb, "r_glassy": "not identifiable: no point below Tg"},
        )  # fmt: skip
        for kb in ("estimated", "poorly determined: at a bound of the search (0)", "estimated")
    ]
    summary = recovery.scaling_law_summary(fits, {"Ka": 140.0, "Kb": 40.0, "r_glassy": 1.0})
    r = summary["parameters"]["r_glassy"]
    assert r["estimate"] is None and r["mean_abs_rel_error_pct"] is None
    assert r["status"] == "not identifiable: no point below Tg"
    assert summary["parameters"]["Kb"]["status"] == (
        "estimated in 2 of 3 fits; else poorly determined: at a bound of the search (0)"
    )
    assert summary["parameters"]["Ka"]["interval"] == [140.0, 140.0]


def test_free_alpha_level_is_fitted_where_pairs_do_not_fix_it():
    """Under the free-volume law pairs see alpha up to a constant per polymer: alpha shifted by
    +3 in one polymer and -1 in another still gives Ka and Kb exactly."""
    from conftest import ROOT

    from contrastive_gs.laws import free_volume

    law = free_volume.FreeVolumeLaw(
        free_volume.read_parameter_table(ROOT / "data" / "free_volume_parameters.csv")
    )
    frames = [
        pd.DataFrame({"Polymer": name, "M": 92.14, "T": Tg + np.linspace(10, 80, 8), "Tg": Tg})
        for name, Tg in (("PS", 373.15), ("PMMA", 381.15))
    ]
    points = pd.concat(frames, ignore_index=True)
    alpha = law.alpha(points, {"Ka": 180.0, "Kb": 50.0}) + np.where(
        points["Polymer"] == "PS", 3.0, -1.0
    )
    fit = recovery.fit_scaling_law(points, alpha, law)
    assert fit.success and fit.fitted == ("Ka", "Kb")
    assert fit.estimates["Ka"] == pytest.approx(180.0, rel=1e-8)
    assert fit.estimates["Kb"] == pytest.approx(50.0, rel=1e-8)
