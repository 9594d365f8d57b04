"""The free-volume law (Zhu, Welle, Vitrac 2019, as SFPPy): the published values, the published
error on the toluene data, what pairs identify, and known answers from pairs alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from helpers import fit_one, make_family

from contrastive_gs import data
from contrastive_gs.families import kernel
from contrastive_gs.laws import LAWS, free_volume
from contrastive_gs.laws._sfppy import alpha_and_gradient, blended_alpha
from contrastive_gs.pairs import PairSettings, make_pairs
from contrastive_gs.polymers import PRESETS
from contrastive_gs.splits.points import PointSplit

TABLE = free_volume.read_parameter_table(ROOT / "data" / "free_volume_parameters.csv")
LAW = free_volume.FreeVolumeLaw(TABLE)


def test_registered_and_read_from_the_published_table():
    assert LAWS["free_volume"] is free_volume.FreeVolumeLaw
    assert set(TABLE) == {"LDPE", "PMMA", "PS", "PVAc", "gPET", "wPET"}
    assert TABLE["gPET"] == {
        "D0": 1.0205e-08, "xi": 0.6761, "Ka": 252.0, "Kb": 65.0, "r_glassy": 0.6153, "E": 0.0
    }  # fmt: skip
    assert LAW.allowed_b_inputs == ("Tg",) and not LAW.alpha_level_from_pairs


def test_golden_values_to_1e_6():
    """SFPPy's two published predictions (toluene at 50 degC), relative error < 1e-6."""
    golden = pd.read_csv(ROOT / "data" / "free_volume_golden.csv")
    points = golden.rename(columns={"polymer": "Polymer", "T_K": "T", "Tg_K": "Tg"})
    predicted = np.exp(LAW.log_diffusivity(points.assign(M=92.14), {}))
    np.testing.assert_allclose(predicted, golden["D_m2_s"], rtol=1e-6)


def test_published_parameters_give_the_published_error_on_toluene():
    """log10 RMSE 0.47 over the 26 measured points (data/README.md)."""
    points = data.read_measured(
        ROOT / "data" / "toluene_zhu2019.csv",
        {"M": "M_g_mol", "T": "T_K", "Tg": "Tg_K", "D": "D_m2_s"},
    )
    error = (LAW.log_diffusivity(points, {}) - points["logD"]) / np.log(10)
    assert len(points) == 26
    assert np.sqrt(np.mean(error**2)) == pytest.approx(0.47, abs=0.005)
    assert LAW.check_points(points).eq("").all()


def test_alpha_gradient_equals_finite_differences():
    T, Tg = np.array([300.0, 348.0, 350.0, 400.0]), 349.15
    theta = np.array([252.0, 65.0, 0.6153])
    _, gradient = alpha_and_gradient(T, Tg, *theta)
    for k in range(3):
        step = np.zeros(3)
        step[k] = 1e-6 * theta[k]
        numeric = blended_alpha(T, Tg, *(theta + step)) - blended_alpha(T, Tg, *(theta - step))
        np.testing.assert_allclose(gradient[:, k], numeric / (2 * step[k]), rtol=1e-6)


def _points(T, polymer="PS"):
    Tg = {name: p.Tg for name, p in PRESETS.items()}[polymer]
    T = np.asarray(T, dtype=float)
    return pd.DataFrame({"Polymer": polymer, "M": 92.14, "T": T, "Tg": Tg})


def test_identifiability_from_temperature_differences():
    """Per polymer, distinct temperatures - 1 differences: 2 identify Ka and Kb, 1 Ka alone,
    0 nothing; r needs points on both sides of Tg."""
    assert LAW.estimated(_points([390, 410, 430])) == ("Ka", "Kb")
    assert LAW.estimated(_points([390, 410])) == ("Ka",)
    assert "cannot be separated" in LAW.identifiability(_points([390, 410]))["Kb"]
    assert LAW.estimated(_points([390, 390])) == ()
    assert "one temperature" in LAW.identifiability(_points([390, 390]))["Ka"]
    assert "one point" in LAW.identifiability(_points([390]))["Ka"]
    glassy = _points([300, 320, 360, 380, 400], "gPET")
    assert LAW.estimated(glassy) == ("Ka", "Kb", "r_glassy")
    assert LAW.shape_problem(pd.concat([_points([390]), _points([400]).assign(M=50.0)])) is not None


def test_validity_cut_names_the_rows():
    """SFPPy's cut T - Tg < -Kb/r + 2 K: wPET (Kb 65 K, r 0.2777) refuses T - Tg = -240 K."""
    points = _points([316.15 - 240, 320.0], "wPET")
    reasons = LAW.check_points(points)
    assert reasons.iloc[0].startswith("T - Tg = -240 K is below the validity cut")
    assert reasons.iloc[1] == ""


def simulated(polymers=("PS", "gPET"), Ka=200.0, Kb=55.0, noise=0.0, n_T=12):
    """Noise-free (or noisy) free-volume data: one solute, n_T temperatures per polymer
    around its Tg + 10 .. Tg + 90 K (gPET: -40 .. +90 K, across Tg)."""
    frames = []
    for name in polymers:
        polymer = PRESETS[name]
        low = -40.0 if name == "gPET" else 10.0
        T_C = polymer.Tg + np.linspace(low, 90.0, n_T) - data.KELVIN_OFFSET
        settings = data.SimulationSettings(
            law=LAW, values={"Ka": Ka, "Kb": Kb}, noise=noise, noise_seed=1,
            M=np.array([92.14]), T_C=T_C, polymers=(polymer,),
        )  # fmt: skip
        frames.append(data.simulate(settings))
    return pd.concat(frames, ignore_index=True)


def test_kernel_recovers_Ka_Kb_from_pairs_alone():
    """Noise-free data, Ka 200 K and Kb 55 K: the kernel fit of the pairs within polymers (D0
    cancels) gives both within 0.1 % (and r_glassy of gPET, across its Tg)."""
    points = simulated()
    pairs = make_pairs(points, PairSettings("within", None, 0), PointSplit(0.2, 0))
    for polymer, expected in (("PS", ("Ka", "Kb")), ("gPET", ("Ka", "Kb", "r_glassy"))):
        of = pairs[
            (pairs["Polymer_i"] == polymer).to_numpy() & (pairs["split"] == "train").to_numpy()
        ]
        fitted = kernel.fit_kernel(points, of, LAW)
        assert fitted.fitted == expected
        assert fitted.values["Ka"] == pytest.approx(200.0, rel=1e-3)
        assert fitted.values["Kb"] == pytest.approx(55.0, rel=1e-3)
    assert fitted.values["r_glassy"] == pytest.approx(PRESETS["gPET"].r_glassy, rel=1e-3)


def test_structured_twin_recovers_Ka_Kb_from_pairs_alone(one_torch_thread):
    """Noise-free PS data: the structured twin (b(Tg), alpha's level free per polymer) gives an
    alpha(T) whose law, fitted with a free level, is Ka and Kb within 0.1 %."""
    from contrastive_gs import recovery

    points = simulated(("PS",), n_T=15)
    pairs = make_pairs(points, PairSettings("within", None, 0), PointSplit(0.2, 0))
    family = make_family("twin_structured", epochs=3000, width=16)
    family = type(family)(family.settings, LAW)
    result = fit_one(family, points, pairs, 0)
    alpha = result.model.alpha(points)
    law = recovery.fit_scaling_law(points, alpha, LAW)
    assert law.success and law.fitted == ("Ka", "Kb")
    assert law.estimates["Ka"] == pytest.approx(200.0, rel=1e-3)
    assert law.estimates["Kb"] == pytest.approx(55.0, rel=1e-3)
