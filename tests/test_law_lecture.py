"""The lecture's law D/D0 = (M/M0)^-alpha, alpha = 1 + Ka/(Kb + r (T - Tg)): known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from contrastive_gs import polymers
from contrastive_gs.laws import LAWS, lecture

KA, KB, M0, D0 = 140.0, 40.0, 100.0, 1e-9  # the lecture's constants


@pytest.mark.parametrize(
    ("T", "Tg", "expected"),
    [
        (296.15, 273.0, 1 + 140 / (40 + 23.15)),  # PP at 23 degC: lecture table 3.22
        (373.15, 273.0, 1 + 140 / (40 + 100.15)),  # PP at 100 degC: lecture table 2
        (373.15, 173.0, 1 + 140 / (40 + 200.15)),  # HDPE at 100 degC: lecture table 1.58
        (296.15, 173.0, 1 + 140 / (40 + 123.15)),  # HDPE at 23 degC: lecture table 1.86
    ],
)
def test_alpha_matches_lecture_formula(T, Tg, expected):
    """alpha in the rubbery state equals the lecture's closed form to rounding."""
    assert lecture.alpha(T, Tg, KA, KB) == pytest.approx(expected, rel=1e-14)


def test_alpha_and_diffusivity_match_lecture_table():
    """Lecture table: PP (M 40, T 296 K) alpha 3.22, D 1.91e-08; HDPE (500, 373 K) 1.58, 7.83e-11"""
    assert round(float(lecture.alpha(296.15, 273.0, KA, KB)), 2) == 3.22
    assert lecture.alpha(296.15, 273.0, KA, KB) == pytest.approx(3.2169437846, rel=1e-10)
    D_pp = np.exp(lecture.log_diffusivity(40.0, 296.15, 273.0, KA, KB, 1.0, M0, D0))
    assert D_pp == pytest.approx(1.91e-08, rel=3e-3)
    assert D_pp == pytest.approx(D0 * 0.4**-3.2169437846, rel=1e-9)

    assert round(float(lecture.alpha(373.15, 173.0, KA, KB)), 2) == 1.58
    D_hdpe = np.exp(lecture.log_diffusivity(500.0, 373.15, 173.0, KA, KB, 1.0, M0, D0))
    assert D_hdpe == pytest.approx(7.83e-11, rel=3e-3)


def test_log_diffusivity_is_log_D0_at_reference_mass():
    """At M = M0 the temperature dependence vanishes: ln D = ln D0 for every T."""
    T = np.linspace(280.0, 400.0, 5)
    logD = lecture.log_diffusivity(M0, T, 173.0, KA, KB, 1.0, M0, D0)
    np.testing.assert_allclose(logD, np.log(D0), rtol=0, atol=1e-12)


def test_alpha_is_vectorised_and_float64():
    """alpha broadcasts over arrays of T and returns float64."""
    T = np.array([296.15, 309.0, 373.15])
    result = lecture.alpha(T, 273.0, 140, 40)
    assert result.dtype == np.float64
    assert result.shape == (3,)
    np.testing.assert_allclose(result, 1 + 140 / (40 + (T - 273.0)), rtol=1e-15)


@pytest.mark.parametrize("r_glassy", [0.2777, 0.5, 0.6153])
def test_state_parameter_blend(r_glassy):
    """r -> r_glassy well below Tg, 1 well above, and (1 + r_glassy)/2 exactly at Tg."""
    Tg = 350.0
    assert lecture.state_parameter(Tg - 50.0, Tg, r_glassy) == pytest.approx(r_glassy, abs=1e-12)
    assert lecture.state_parameter(Tg + 50.0, Tg, r_glassy) == pytest.approx(1.0, abs=1e-12)
    assert lecture.state_parameter(Tg, Tg, r_glassy) == pytest.approx(0.5 * (1 + r_glassy), 1e-15)
    # monotone across the transition, since r_glassy < 1
    r = lecture.state_parameter(np.linspace(Tg - 5, Tg + 5, 101), Tg, r_glassy)
    assert np.all(np.diff(r) > 0)


def test_state_parameter_blend_width():
    """One blend width above Tg the rubbery weight is (1 + tanh 4)/2 (BLEND_WIDTH_K = 2 K)."""
    weight = 0.5 * (1 + np.tanh(4.0))
    expected = weight + (1 - weight) * 0.5
    assert lecture.state_parameter(302.0, 300.0, 0.5) == pytest.approx(expected, rel=1e-15)


def test_state_parameter_is_one_when_rubbery_everywhere():
    """r_glassy = 1 (the lecture) gives r = 1 at every temperature."""
    T = np.linspace(100.0, 500.0, 41)
    np.testing.assert_allclose(lecture.state_parameter(T, 300.0, 1.0), 1.0, rtol=0, atol=1e-15)


def test_pole_distance_glassy():
    """Kb + r (T - Tg) uses the glassy r well below Tg: 40 + 0.5 (296.15 - 373.15) = 1.5 K (PS)."""
    assert lecture.pole_distance(296.15, 373.15, 40.0, 0.5) == pytest.approx(1.5, abs=1e-12)


@pytest.mark.parametrize(
    ("T", "Tg", "Kb", "r_glassy"),
    [
        (233.0, 273.0, 40.0, 1.0),  # exactly at the pole: Kb + (T - Tg) = 0
        (232.0, 273.0, 40.0, 1.0),  # beyond the pole: denominator -1 K
        (233.5, 273.0, 40.0, 1.0),  # within the 1 K margin: 0.5 K
        (234.0, 273.0, 40.0, 1.0),  # exactly the margin: 1 K is not accepted
        (296.15, 373.15, 39.5, 0.5),  # glassy PS: 39.5 + 0.5 (-77) = 1 K
    ],
)
def test_alpha_raises_at_pole(T, Tg, Kb, r_glassy):
    """alpha raises ValueError where Kb + r (T - Tg) <= POLE_MARGIN_K."""
    with pytest.raises(ValueError, match="pole"):
        lecture.alpha(T, Tg, 140.0, Kb, r_glassy)


def test_alpha_raises_if_any_element_hits_pole():
    """One bad temperature in an array is enough to raise (and log_diffusivity raises too)."""
    T = np.array([300.0, 350.0, 230.0])
    with pytest.raises(ValueError, match="pole"):
        lecture.alpha(T, 273.0, 140.0, 40.0)
    with pytest.raises(ValueError, match="pole"):
        lecture.log_diffusivity(100.0, T, 273.0, 140.0, 40.0)


def test_alpha_just_beyond_margin_is_accepted():
    """A denominator of 1.5 K (above the 1 K margin) is fine: alpha = 1 + 140/1.5."""
    assert lecture.alpha(234.5, 273.0, 140.0, 40.0) == pytest.approx(1 + 140 / 1.5, rel=1e-12)


def _torch_log_diffusivity(logM, T, Tg, Ka, Kb, r_glassy, M0, D0):
    """The same formula as lecture.log_diffusivity, in torch float64, as a function of ln M."""
    weight = 0.5 * (1.0 + torch.tanh(4.0 * (T - Tg) / lecture.BLEND_WIDTH_K))
    r = weight + (1.0 - weight) * r_glassy
    alpha = 1.0 + Ka / (Kb + r * (T - Tg))
    return np.log(D0) - alpha * (logM - np.log(M0))


@pytest.mark.parametrize(
    ("Tg", "Ka", "Kb", "r_glassy"),
    [(273.0, 140.0, 40.0, 1.0), (173.0, 140.0, 40.0, 1.0), (349.15, 252.0, 65.0, 0.6153)],
)
def test_autograd_derivative_in_log_M_is_minus_alpha(Tg, Ka, Kb, r_glassy):
    """-d ln D / d ln M by torch autograd (float64) equals lecture.alpha to 1e-12."""
    M = np.linspace(40.0, 500.0, 7)
    T = np.linspace(296.15, 373.15, 7)
    M_grid, T_grid = (a.ravel() for a in np.meshgrid(M, T, indexing="ij"))
    logM = torch.tensor(np.log(M_grid), dtype=torch.float64, requires_grad=True)
    T_t = torch.tensor(T_grid, dtype=torch.float64)
    logD = _torch_log_diffusivity(logM, T_t, Tg, Ka, Kb, r_glassy, M0, D0)
    (gradient,) = torch.autograd.grad(logD.sum(), logM)

    # the torch formula is the library's formula ...
    expected_logD = lecture.log_diffusivity(M_grid, T_grid, Tg, Ka, Kb, r_glassy, M0, D0)
    np.testing.assert_allclose(logD.detach().numpy(), expected_logD, rtol=1e-13, atol=0)
    # ... and its derivative in ln M is -alpha
    expected_alpha = lecture.alpha(T_grid, Tg, Ka, Kb, r_glassy)
    np.testing.assert_allclose(-gradient.numpy(), expected_alpha, rtol=0, atol=1e-12)


def test_finite_difference_derivative_in_log_M_is_minus_alpha():
    """Independent check without torch: a central difference of log_diffusivity in ln M."""
    M, T, h = 117.0, 330.0, 1e-5
    up = lecture.log_diffusivity(M * np.exp(h), T, 273.0, KA, KB)
    down = lecture.log_diffusivity(M * np.exp(-h), T, 273.0, KA, KB)
    slope = (up - down) / (2 * h)
    assert -slope == pytest.approx(lecture.alpha(T, 273.0, KA, KB), rel=1e-8)


def test_presets_match_design_table():
    """Presets: Tg (K), Ka, Kb (K) and r_glassy as published (Zhu, Welle & Vitrac 2019)."""
    expected = {
        "PP": (273.0, 140.0, 40.0, 1.0),
        "HDPE": (173.0, 140.0, 40.0, 1.0),
        "LDPE": (148.15, 144.0, 40.0, 0.5),
        "PS": (373.15, 144.0, 40.0, 0.5),
        "PVAc": (305.15, 142.0, 40.0, 0.5),
        "PMMA": (381.15, 252.0, 65.0, 0.5),
        "gPET": (349.15, 252.0, 65.0, 0.6153),
        "wPET": (316.15, 252.0, 65.0, 0.2777),
    }
    assert set(polymers.PRESETS) == set(expected)
    for name, (Tg, Ka, Kb, r) in expected.items():
        preset = polymers.PRESETS[name]
        actual = (preset.name, preset.Tg, *polymers.PUBLISHED_CONSTANTS[name], preset.r_glassy)
        assert actual == (name, Tg, Ka, Kb, r)


def test_polymer_is_frozen_with_lecture_defaults():
    """A Polymer is immutable and rubbery everywhere by default."""
    polymer = polymers.Polymer("X", 300.0)
    assert polymer.r_glassy == 1.0
    with pytest.raises(AttributeError):
        polymer.Tg = 1.0  # type: ignore[misc]


LAW = lecture.LectureLaw(M0=M0, D0=D0)


def _points(T, Tg, M=100.0, polymer="P") -> pd.DataFrame:
    """Points of one polymer at temperatures ``T`` (K) and molar masses ``M`` (g/mol)."""
    T = np.asarray(T, dtype=float)
    return pd.DataFrame({"Polymer": polymer, "M": np.broadcast_to(M, T.shape), "T": T, "Tg": Tg})


def test_law_is_registered_with_its_parameters():
    """The registry holds the lecture's law; its parameters carry units, bounds and starts."""
    assert LAWS["lecture"] is lecture.LectureLaw
    assert LAW.parameter_names() == ("Ka", "Kb", "r_glassy")
    assert [p.unit for p in LAW.parameters] == ["K", "K", "-"]
    assert LAW.parameter("r_glassy").default == 1.0
    assert LAW.scenario_keys == ("Ka", "Kb")
    assert LAW.covariate_reference() == pytest.approx(np.log(M0))
    config = {"data": {"M0": 50, "D0": 1e-10, "Ka": 1.0}}
    assert lecture.LectureLaw.from_config(config) == lecture.LectureLaw(50.0, 1e-10)


def test_law_methods_are_the_module_functions():
    """alpha, log D and the simulated columns of the law object equal the functions."""
    points = _points([300.0, 350.0], 330.0, M=np.array([40.0, 200.0]))
    values = {"Ka": 150.0, "Kb": 45.0, "r_glassy": 0.5}
    T, M = points["T"].to_numpy(), points["M"].to_numpy()
    np.testing.assert_array_equal(
        LAW.alpha(points, values), lecture.alpha(T, 330.0, 150.0, 45.0, 0.5)
    )
    columns = LAW.point_columns(points, values)
    np.testing.assert_array_equal(
        columns["logD"], lecture.log_diffusivity(M, T, 330.0, 150.0, 45.0, 0.5, M0, D0)
    )
    np.testing.assert_array_equal(columns["r"], lecture.state_parameter(T, 330.0, 0.5))


@pytest.mark.parametrize("estimated", [("Ka", "Kb"), ("Ka", "Kb", "r_glassy"), ("Ka",)])
def test_point_model_jacobian_equals_finite_differences(estimated):
    """The analytic Jacobian of ln D - ln D0 in the fitted parameters (the kernel's) equals
    central differences to 1e-6 relative; the others are held (Kb at its start, r at 1)."""
    M = np.linspace(40.0, 500.0, 5).repeat(4)
    T = np.tile(np.array([350.0, 370.0, 390.0, 420.0]), 5)
    points = _points(T, 381.15, M=M)
    model = LAW.point_model(points, estimated)
    theta = np.array([252.0, 65.0, 0.5][: len(estimated)])
    values, jacobian = model(theta)
    full = {**LAW.fixed_values(estimated), **dict(zip(estimated, theta, strict=True))}
    np.testing.assert_allclose(values, LAW.log_diffusivity(points, full) - np.log(D0))
    for k in range(len(theta)):
        step = np.zeros_like(theta)
        step[k] = 1e-6 * theta[k]
        numeric = (model(theta + step)[0] - model(theta - step)[0]) / (2 * step[k])
        np.testing.assert_allclose(jacobian[:, k], numeric, rtol=1e-6, atol=1e-9)


def test_alpha_model_is_alpha_and_finite_near_the_pole():
    """The curve-fit model of alpha equals the law's alpha, and stays finite near the pole."""
    points = _points([300.0, 320.0, 360.0], 273.0)
    model = LAW.alpha_model(points, ("Ka", "Kb"))
    np.testing.assert_allclose(model(None, 140.0, 40.0), LAW.alpha(points, {"Ka": 140, "Kb": 40}))
    assert np.all(np.isfinite(model(None, 140.0, -100.0)))


def test_identifiability_of_the_lecture_law():
    """Two molar masses and three temperatures: Ka, Kb; r only across Tg; one M: nothing."""
    grid = _points(np.repeat([300.0, 330.0, 360.0], 2), 273.0, M=np.tile([50.0, 200.0], 3))
    statuses = LAW.identifiability(grid)
    assert statuses["Ka"] == statuses["Kb"] == "estimated"
    assert statuses["r_glassy"].startswith("not identifiable: no point 5 K below Tg")
    across = _points(np.repeat([360.0, 380.0, 400.0], 2), 381.15, M=np.tile([50.0, 200.0], 3))
    assert LAW.estimated(across) == ("Ka", "Kb", "r_glassy")
    two_T = _points(np.repeat([300.0, 330.0], 2), 273.0, M=np.tile([50.0, 200.0], 2))
    assert LAW.estimated(two_T) == ("Ka",)
    assert "2 temperatures: Ka and Kb cannot be separated" in LAW.identifiability(two_T)["Kb"]
    one_M = _points([300.0, 330.0, 360.0], 273.0)
    assert set(LAW.identifiability(one_M).values()) == {
        "not identifiable: one molar mass: alpha's M-dependence cannot be seen"
    }


def test_validity_problem_names_the_pole():
    """Valid inside the margin, a message naming Kb + r (T - Tg) outside it."""
    assert LAW.validity_problem(_points([300.0], 273.0), {"Ka": 140, "Kb": 40}) is None
    problem = LAW.validity_problem(_points([230.0], 273.0), {"Ka": 140, "Kb": 40})
    assert "Kb + r (T - Tg) = -3 K" in problem
