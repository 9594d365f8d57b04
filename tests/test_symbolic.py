"""Symbolic regression of alpha(T - Tg): Operon's trees in sympy, the choice on the Pareto front,
the canonical form, the law's form and its constants, and the recovery of the lecture's law."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import sympy as sp

from contrastive_gs import config, symbolic
from contrastive_gs.laws import lecture

x = sp.Symbol(symbolic.X_NAME)
# The lecture's grid: PP (Tg 273 K) and HDPE (Tg 173 K) at 23..100 degC, 7 temperatures each.
LECTURE_DT = np.concatenate([np.linspace(23, 100, 7) + 0.15, np.linspace(23, 100, 7) + 100.15])


def search_settings(**changes) -> symbolic.SearchSettings:
    """The symbolic section's search, as the schema gives it, with ``changes``."""
    section = config.symbolic_settings(config.default_config())
    section.pop("snap")
    return symbolic.SearchSettings(**{**section, **changes})


def recovery_settings(**changes) -> symbolic.RecoverySettings:
    return symbolic.RecoverySettings(search_settings(**changes), snap=0.01)


def alpha_table(alpha: np.ndarray, dT: np.ndarray = LECTURE_DT) -> pd.DataFrame:
    """An alpha table as a fit writes it: PP's then HDPE's temperatures, one molar mass."""
    polymers = ["PP"] * (len(dT) // 2) + ["HDPE"] * (len(dT) - len(dT) // 2)
    return pd.DataFrame({"Polymer": polymers, "T_minus_Tg": dT, "alpha": alpha})


def lecture_alpha(dT: np.ndarray = LECTURE_DT) -> np.ndarray:
    return lecture.alpha(dT + 273.0, 273.0, 140.0, 40.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_lecture_alpha_gives_the_law_and_its_constants(seed):
    """The lecture's alpha at its 14 T - Tg: the form c + Ka/(Kb + x) is found, c = 1, and
    Ka = 140 K, Kb = 40 K within 0.5 % (seeds 0-2)."""
    found = symbolic.recover_law(alpha_table(lecture_alpha()), recovery_settings(), seed)
    assert found.form_matched, found.expression
    assert found.Ka_found == pytest.approx(140.0, rel=0.005)
    assert found.Kb_found == pytest.approx(40.0, rel=0.005)
    assert found.c_found == pytest.approx(1.0, abs=1e-6)
    assert found.rmse < 1e-6 and found.n_points == 14 and found.reason == ""
    assert found.expression.startswith("1 + 140") and "\\frac" in found.latex


def test_the_same_seed_gives_the_same_expression():
    table = alpha_table(lecture_alpha() * (1 + 1e-3 * np.sin(LECTURE_DT)))
    first, second = (symbolic.recover_law(table, recovery_settings(), 3) for _ in range(2))
    assert (first.expression, first.rmse) == (second.expression, second.rmse)


def test_a_linear_alpha_is_not_the_law():
    """alpha = 3 - 0.01 x: found (RMSE at float precision), but not of the law's form."""
    found = symbolic.recover_law(alpha_table(3.0 - 0.01 * LECTURE_DT), recovery_settings(), 0)
    assert not found.form_matched
    assert math.isnan(found.Ka_found) and math.isnan(found.Kb_found)
    assert found.rmse < 1e-5
    assert sp.Poly(sp.sympify(found.expression), x).degree() == 1


@pytest.mark.parametrize(
    ("alpha", "reason"),
    [
        (np.full(14, np.nan), "not identifiable"),
        (np.full(14, 2.2), "constant over T - Tg"),
    ],
)
def test_no_search_where_alpha_cannot_show_the_law(alpha, reason):
    found = symbolic.recover_law(alpha_table(alpha), recovery_settings(), 0)
    assert reason in found.reason and found.expression == "" and not found.form_matched


def test_no_search_on_fewer_temperatures_than_the_form_needs():
    dT = np.array([20.0, 40.0, 60.0])
    found = symbolic.recover_law(alpha_table(lecture_alpha(dT), dT), recovery_settings(), 0)
    assert "3 distinct T - Tg" in found.reason


def test_alpha_points_average_the_molar_masses_of_a_polymer():
    table = pd.DataFrame(
        {"Polymer": ["PP", "PP", "PP", "HDPE"], "T_minus_Tg": [10.0, 10.0, 20.0, 10.0],
         "alpha": [2.0, 4.0, 1.0, 5.0]}
    )  # fmt: skip
    dT, alpha = symbolic.alpha_points(table)
    assert sorted(zip(dT, alpha, strict=True)) == [(10.0, 3.0), (10.0, 5.0), (20.0, 1.0)]


# --- sympy: the canonical form and the law's form ------------------------------------------------


def test_canonical_form_of_a_rational_function():
    """Operon's way of writing the law becomes c + a/(x + b); another rational function its
    quotient plus a proper fraction over a monic denominator."""
    operon_like = sp.Float(1.0) + sp.Float(3.5) / (sp.Float(0.025) * x + sp.Float(1.0))
    form = symbolic.canonical_form(operon_like, x)
    assert sp.simplify(form - (1 + 140 / (x + 40))) == 0
    assert symbolic.describe(form)[0] == "1 + 140.0/(x + 40.0)"
    other = symbolic.canonical_form((2 * x**2 + 3) / (2 * x + 2), x)
    assert sp.simplify(other - (x - 1 + sp.Rational(5, 2) / (x + 1))) == 0


def test_canonical_form_leaves_other_expressions_alone():
    expression = sp.exp(-x) + 1
    assert symbolic.canonical_form(expression, x) == expression
    assert not symbolic.law_form(expression, x, LECTURE_DT).matched


@pytest.mark.parametrize(
    ("expression", "matched", "constants"),
    [
        (1 + 140 / (x + 40), True, (1.0, 140.0, 40.0)),
        ((2 * x + 5) / (2 * x + 80), True, (1.0, -37.5, 40.0)),  # c + Ka/(Kb + x), Ka < 0
        (1.16 + 85.6 / x, False, None),  # no constant in the linear function
        (3 - 0.01 * x, False, None),
        (1 + 140 / (x + 40) + 1e-3 * x, False, None),  # an extra linear term
        (1 + 140 / (x**2 + 40), False, None),
        (1 + 1e-14 * x**2 + 140 / (x + 40), True, (1.0, 140.0, 40.0)),  # float dust dropped
    ],
)
def test_law_form_is_structural(expression, matched, constants):
    form = symbolic.law_form(symbolic.canonical_form(expression, x), x, LECTURE_DT)
    assert form.matched == matched
    if constants:
        assert (form.offset, form.Ka, form.Kb) == pytest.approx(constants)


def test_snapping_sets_unit_constants_and_refits_the_others():
    """alpha with a 0.1 % offset error: c = 0.9988 is set to 1, Ka and Kb refitted."""
    X = LECTURE_DT.reshape(-1, 1)
    y = lecture_alpha() * (1 + 1e-4 * np.cos(LECTURE_DT))
    expression = sp.Float(0.9988) + sp.Float(140.5) / (x + sp.Float(40.3))
    snapped = symbolic.snap_units(
        expression, [x], X, y, 0.01, 10 * symbolic.rmse(expression, [x], X, y)
    )
    form = symbolic.law_form(symbolic.canonical_form(snapped, x), x, LECTURE_DT)
    assert form.offset == 1.0  # exactly: an integer now
    assert (form.Ka, form.Kb) == pytest.approx((140.0, 40.0), rel=1e-3)


def test_no_snap_where_the_fit_would_suffer():
    X, y = LECTURE_DT.reshape(-1, 1), 1.5 + 140.0 / (LECTURE_DT + 40.0)
    expression = sp.Float(1.5) + sp.Float(140.0) / (x + sp.Float(40.0))
    assert symbolic.snap_units(expression, [x], X, y, 0.01, 1e-6) == expression


# --- the choice on the Pareto front --------------------------------------------------------------


def candidates(*pairs) -> list[symbolic.Candidate]:
    return [
        symbolic.Candidate(sp.Integer(k), length, error) for k, (length, error) in enumerate(pairs)
    ]


def test_choice_takes_the_largest_drop_of_error_per_node():
    """A linear fit (5 nodes), the law (9 nodes, 1e-3) and an overfit (17 nodes, 5e-4): the law
    buys the most per node; a tight tolerance leaves only the overfit eligible."""
    front = candidates((5, 0.1), (9, 1e-3), (17, 5e-4))
    assert symbolic.choose(front, tolerance=9.0, baseline_rmse=0.5).length == 9
    assert symbolic.choose(front, tolerance=0.2, baseline_rmse=0.5).length == 17


def test_choice_ignores_dominated_and_infinite_candidates():
    front = candidates((5, 0.1), (7, 0.2), (9, math.inf), (11, 1e-3))
    assert [c.length for c in symbolic.strict_front(front)] == [5, 11]
    assert symbolic.choose(front, tolerance=9.0, baseline_rmse=0.5).length == 11


def test_below_the_resolution_the_shorter_expression_wins():
    front = candidates((9, 1e-9), (13, 1e-13))
    assert symbolic.choose(front, tolerance=9.0, baseline_rmse=1.0).length == 9


def test_choice_needs_a_finite_error():
    with pytest.raises(ValueError, match="finite error"):
        symbolic.choose(candidates((5, math.inf)), 1.0, 1.0)


# --- Operon's trees ---------------------------------------------------------------------------


def test_tree_expressions_evaluate_as_operon_does():
    """Every expression of a front (many functions, two variables) converted to sympy gives
    Operon's own values (float32) at the data."""
    from pyoperon.sklearn import SymbolicRegressor

    rng = np.random.default_rng(0)
    X = rng.uniform(0.5, 3.0, size=(60, 2))
    y = X[:, 0] - 2 * X[:, 1] / (X[:, 0] + 0.5) + np.exp(-X[:, 1])
    functions = "add,sub,mul,div,aq,exp,log,sqrt,square,sin,tanh"
    regressor = SymbolicRegressor(
        allowed_symbols=f"{functions},constant,variable", objectives=["r2", "length"],
        population_size=200, generations=20, optimizer_iterations=5, random_state=1, n_threads=1,
    ).fit(X, y)  # fmt: skip
    symbols = sp.symbols("a b")
    by_hash = dict(zip(regressor.variables_, symbols, strict=True))
    for solution in regressor.pareto_front_:
        expression = symbolic.tree_expression(solution["tree"].Nodes, by_hash)
        ours = symbolic.evaluate(expression, symbols, X)
        theirs = regressor.evaluate_model(solution["tree"], X).astype(np.float64)
        finite = np.isfinite(theirs)
        assert np.allclose(ours[finite], theirs[finite], rtol=1e-4, atol=1e-4), expression


def test_functions_are_the_schemas():
    schema = config.load_schema()
    allowed = schema["$defs"]["operon"]["properties"]["functions"]["items"]["enum"]
    assert list(symbolic.FUNCTIONS) == allowed


def test_seed_summary_counts_the_form_and_its_errors():
    rows = pd.DataFrame(
        {"form_matched": [True, True, False], "Ka_found": [139.0, 141.0, np.nan],
         "Kb_found": [40.0, 40.4, np.nan], "reason": ["", "", ""]}
    )  # fmt: skip
    summary = symbolic.seed_summary(rows, {"Ka": 140.0, "Kb": 40.0})
    assert (summary["n_fits"], summary["n_searched"], summary["form_found"]) == (3, 3, 2)
    assert summary["Ka_found"] == pytest.approx(140.0)
    assert summary["Ka_err_pct"] == pytest.approx(100 / 140)
    assert summary["Kb_err_pct"] == pytest.approx(0.5)
    assert "found in 2 of 3 fits" in symbolic.describe_summary(summary)


def test_the_default_run_imports_neither_operon_nor_scikit_bio():
    """The modules every job imports leave pyoperon and skbio to the jobs that use them."""
    code = (
        "import sys; import contrastive_gs.steps, contrastive_gs.families, contrastive_gs.config;"
        "print(sorted(m for m in ('pyoperon', 'skbio') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
