"""Symbolic regression: search with Operon, choose on the Pareto front, simplify with sympy, and
read the law's form and constants off the chosen expression.

1. :func:`pareto_front` runs Operon (pyoperon's scikit-learn ``SymbolicRegressor``: genetic
   programming with Levenberg-Marquardt optimisation of the constants, NSGA-II on the two
   objectives R2 and length) single-threaded with a seed, and returns its Pareto front of error
   against length, each expression converted exactly (from Operon's tree) to sympy.
2. :func:`choose` takes one expression off the front by the stated criterion: **the shortest
   expression whose RMSE is within ``(1 + tolerance)`` times the best RMSE on the front, or below
   ``error_floor`` times the RMS of the target** (an error no larger than the resolution asked
   for); ties go to the lower RMSE.  A longer expression must thus buy a real gain in error,
   which drops the tiny extra terms a search adds to fit the last digits.
3. :func:`canonical_form` writes an expression in one form: a rational function of x becomes its
   polynomial quotient plus a proper fraction over a monic denominator
   (``c + a/(x + b)`` for the lecture's law); anything else stays as sympy writes it.
4. :func:`law_form` compares that form with the truth's, ``alpha = c + Ka/(Kb + x)`` (a constant
   plus a constant over a linear function of x = T - Tg; ``c = 1`` for the lecture's law above
   Tg, where r = 1), structurally: a rational function of x with a numerator of degree <= 1 and
   a denominator of degree 1 after negligible coefficients are dropped.  Ka and Kb are read off
   it: ``Kb`` the zero of the denominator (made monic), ``Ka`` the remainder's constant.
5. :func:`recover_law` does it all for the alpha of one fit (:func:`alpha_points` from its alpha
   table); :func:`seed_summary` counts over seeds and folds how often the form was found.

pyoperon and sympy are imported inside the functions that use them: only the jobs that run a
symbolic regression pay for them.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

X_NAME = "x"  # the symbol of T - Tg (K) in the expressions of alpha
DIGITS = 6  # significant digits of the constants in the canonical text and LaTeX
NEGLIGIBLE = 1e-9  # a term below this share of its polynomial's size over the data is dropped
MIN_POINTS = 4  # distinct T - Tg a recovery needs (the form has 3 constants)
RESOLUTION = 1e-6  # Operon evaluates in float32: smaller RMSEs (relative) are not told apart


@dataclass(frozen=True)
class SearchSettings:
    """One symbolic regression: Operon's search and the choice on its Pareto front."""

    functions: list[str]  # Operon symbols besides constants and variables (FUNCTIONS)
    population_size: int  # individuals per generation
    generations: int  # at most
    max_length: int  # nodes of an expression at most (its length: constants, variables, ops)
    optimizer_iterations: int  # Levenberg-Marquardt steps on the constants of each offspring
    max_evaluations: int  # fitness evaluations at most (bounds the cost)
    tolerance: float  # choice: eligible expressions have RMSE <= (1 + tolerance) x the best

    def cost(self) -> float:
        """Fitness evaluations at most, in units of 1e5: a search's relative cost."""
        return self.max_evaluations / 1e5


@dataclass(frozen=True)
class RecoverySettings:
    """The closed-form recovery of alpha(T - Tg): a search, then unit constants snapped."""

    search: SearchSettings
    snap: float  # constants within this of -1, 0 or 1 are set to it (the others refitted)


@dataclass(frozen=True)
class Candidate:
    """An expression of the Pareto front, with its length and its RMSE on the data."""

    expression: Any  # sympy expression
    length: int  # nodes in Operon's tree, its linear scaling included
    rmse: float  # on the data it was fitted to, evaluated in float64


def _sympy():
    import sympy

    return sympy


def _n_ary(first, rest, combine, unary):
    return unary(first) if not rest else combine(first, rest)


def _operations() -> dict[str, Callable[[list], Any]]:
    """sympy of each Operon node type, from its operands in Operon's order (the operand at the
    top of the postfix stack first)."""
    sp = _sympy()
    return {
        "Add": lambda args: sp.Add(*args),
        "Mul": lambda args: sp.Mul(*args),
        "Sub": lambda args: _n_ary(args[0], args[1:], lambda a, r: a - sp.Add(*r), lambda a: -a),
        "Div": lambda args: _n_ary(args[0], args[1:], lambda a, r: a / sp.Mul(*r), lambda a: 1 / a),
        "Aq": lambda args: args[0] / sp.sqrt(1 + args[1] ** 2),
        "Pow": lambda args: args[0] ** args[1],
        "Exp": lambda args: sp.exp(args[0]),
        "Log": lambda args: sp.log(args[0]),
        "Logabs": lambda args: sp.log(sp.Abs(args[0])),
        "Sqrt": lambda args: sp.sqrt(args[0]),
        "Sqrtabs": lambda args: sp.sqrt(sp.Abs(args[0])),
        "Square": lambda args: args[0] ** 2,
        "Abs": lambda args: sp.Abs(args[0]),
        "Sin": lambda args: sp.sin(args[0]),
        "Cos": lambda args: sp.cos(args[0]),
        "Tanh": lambda args: sp.tanh(args[0]),
    }


FUNCTIONS = ("add", "sub", "mul", "div", "aq", "pow", "exp", "log", "logabs", "sqrt",
             "sqrtabs", "square", "abs", "sin", "cos", "tanh")  # fmt: skip


def tree_expression(nodes: Sequence[Any], variables: Mapping[int, Any]) -> Any:
    """The sympy expression of an Operon tree, exactly (its constants as float64 numbers).

    ``nodes``: the tree's nodes in postfix order (``Tree.Nodes``); ``variables``: the sympy
    symbol of each variable hash.  A variable node is its weight times the variable.
    """
    sp = _sympy()
    operations = _operations()
    stack: list[Any] = []
    for node in nodes:
        if node.IsVariable:
            stack.append(sp.Float(float(node.Value)) * variables[node.HashValue])
        elif node.IsConstant:
            stack.append(sp.Float(float(node.Value)))
        else:
            name = node.Type.name
            if name not in operations:
                raise ValueError(f"Operon node {name} has no sympy form here")
            stack.append(operations[name]([stack.pop() for _ in range(node.Arity)]))
    if len(stack) != 1:
        raise ValueError(f"malformed postfix tree: {len(stack)} expressions left")
    return stack[0]


def evaluate(expression: Any, symbols: Sequence[Any], X: np.ndarray) -> np.ndarray:
    """``expression`` at the rows of ``X`` (n, k), column k the value of ``symbols[k]``, in
    float64, shape (n,)."""
    sp = _sympy()
    X = np.asarray(X, dtype=np.float64)
    function = sp.lambdify(list(symbols), expression, modules="numpy")
    with np.errstate(all="ignore"):
        values = function(*(X[:, k] for k in range(X.shape[1])))
    return np.broadcast_to(np.asarray(values, dtype=np.float64), (len(X),)).copy()


def rmse(expression: Any, symbols: Sequence[Any], X: np.ndarray, y: np.ndarray) -> float:
    """Root mean squared error of ``expression`` on (X, y); inf where it is not finite."""
    residual = evaluate(expression, symbols, X) - np.asarray(y, dtype=np.float64)
    value = float(np.sqrt(np.mean(residual**2)))
    return value if math.isfinite(value) else math.inf


def pareto_front(
    X: np.ndarray, y: np.ndarray, symbols: Sequence[Any], settings: SearchSettings, seed: int
) -> list[Candidate]:
    """Operon's Pareto front (R2 against length) of expressions of ``y`` (n,) in the columns of
    ``X`` (n, k), named by ``symbols``; one thread, ``random_state = seed``: the same inputs give
    the same front.  Sorted by length."""
    from pyoperon.sklearn import SymbolicRegressor

    X = np.array(X, dtype=np.float64, order="F", copy=True)  # writeable copies for pyoperon
    y = np.array(y, dtype=np.float64, copy=True)
    regressor = SymbolicRegressor(
        allowed_symbols=",".join([*settings.functions, "constant", "variable"]),
        objectives=["r2", "length"],
        population_size=settings.population_size,
        generations=settings.generations,
        max_length=settings.max_length,
        optimizer_iterations=settings.optimizer_iterations,
        max_evaluations=settings.max_evaluations,
        n_threads=1,
        random_state=int(seed),
    ).fit(X, y)
    by_hash = dict(zip(regressor.variables_, symbols, strict=True))  # hashes in column order
    front = []
    for solution in regressor.pareto_front_:
        expression = tree_expression(solution["tree"].Nodes, by_hash)
        front.append(
            Candidate(expression, int(solution["length"]), rmse(expression, symbols, X, y))
        )
    return sorted(front, key=lambda candidate: (candidate.length, candidate.rmse))


def strict_front(front: Sequence[Candidate]) -> list[Candidate]:
    """The candidates with a finite RMSE lower than that of every shorter one, by length."""
    kept: list[Candidate] = []
    for candidate in sorted(front, key=lambda c: (c.length, c.rmse)):
        if math.isfinite(candidate.rmse) and (not kept or candidate.rmse < kept[-1].rmse):
            kept.append(candidate)
    return kept


def scores(front: Sequence[Candidate], baseline_rmse: float) -> list[float]:
    """The score of each candidate of a strict front (by length): the drop of ln RMSE per node
    from the next shorter candidate, the first from the constant model (length 1, RMSE
    ``baseline_rmse``).  RMSEs are floored at RESOLUTION x ``baseline_rmse``: below it, two
    expressions are equally exact, and the shorter wins."""
    floor = RESOLUTION * baseline_rmse
    lengths = [1, *(c.length for c in front)]
    errors = [max(e, floor) for e in (baseline_rmse, *(c.rmse for c in front))]
    return [
        math.log(errors[k] / errors[k + 1]) / (lengths[k + 1] - lengths[k])
        if lengths[k + 1] > lengths[k]
        else 0.0
        for k in range(len(front))
    ]


def eligible_rmse(front: Sequence[Candidate], tolerance: float, baseline_rmse: float) -> float:
    """The largest RMSE an expression may have to be chosen: ``(1 + tolerance)`` times the
    lowest finite RMSE of ``front`` (at least RESOLUTION x ``baseline_rmse``).  ValueError for
    a front without a finite RMSE."""
    errors = [candidate.rmse for candidate in front if math.isfinite(candidate.rmse)]
    if not errors:
        raise ValueError("no expression on the Pareto front has a finite error")
    return (1.0 + tolerance) * max(min(errors), RESOLUTION * baseline_rmse)


def choose(front: Sequence[Candidate], tolerance: float, baseline_rmse: float) -> Candidate:
    """The chosen expression of a Pareto front: among the candidates whose RMSE is at most
    :func:`eligible_rmse`, the one of highest score (:func:`scores`: the error it buys per
    added node), ties to the shorter.  ``baseline_rmse``: the constant model's, the RMS of the
    target about its mean."""
    accepted = eligible_rmse(front, tolerance, baseline_rmse)
    front = strict_front(front)
    eligible = [
        (score, -candidate.length, candidate)
        for candidate, score in zip(front, scores(front, baseline_rmse), strict=True)
        if candidate.rmse <= accepted
    ]
    return max(eligible, key=lambda entry: entry[:2])[2]


@dataclass(frozen=True)
class Search:
    """A seeded search: the chosen expression, the size of the front and the eligible RMSE."""

    chosen: Candidate
    front_size: int
    eligible_rmse: float


def search(
    X: np.ndarray, y: np.ndarray, symbols: Sequence[Any], settings: SearchSettings, seed: int
) -> Search:
    """:func:`pareto_front` and :func:`choose` (the baseline: the standard deviation of ``y``)."""
    front = pareto_front(X, y, symbols, settings, seed)
    baseline = float(np.std(np.asarray(y, dtype=np.float64)))
    chosen = choose(front, settings.tolerance, baseline)
    return Search(chosen, len(front), eligible_rmse(front, settings.tolerance, baseline))


def rounded(expression: Any, digits: int = DIGITS) -> Any:
    """``expression`` with every float constant rounded to ``digits`` significant digits (a unit
    one, exactly +-1, written as the integer)."""
    sp = _sympy()

    def shown(number):
        value = float(number)
        return (
            sp.Integer(int(value)) if abs(value) == 1.0 else sp.Float(float(f"{value:.{digits}g}"))
        )

    return expression.xreplace({number: shown(number) for number in expression.atoms(sp.Float)})


def refit(expression: Any, symbols: Sequence[Any], X: np.ndarray, y: np.ndarray) -> Any:
    """``expression`` with its float constants refitted to (X, y) by least squares in float64,
    from their values (integers stay); the expression itself if the fit fails."""
    from scipy.optimize import least_squares

    sp = _sympy()
    constants = sorted(expression.atoms(sp.Float), key=float)
    if not constants:
        return expression
    parameters = sp.symbols(f"p0:{len(constants)}")
    template = expression.xreplace(dict(zip(constants, parameters, strict=True)))
    function = sp.lambdify([*symbols, *parameters], template, modules="numpy")
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    columns = [X[:, k] for k in range(X.shape[1])]

    def residuals(theta: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            values = np.broadcast_to(np.asarray(function(*columns, *theta), dtype=float), y.shape)
        return np.where(np.isfinite(values), values - y, 1e6)

    start = np.array([float(c) for c in constants])
    try:
        result = least_squares(residuals, start, ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=2000)
    except ValueError:
        return expression
    values = result.x if np.all(np.isfinite(result.x)) else start
    return template.xreplace(
        {p: sp.Float(float(v)) for p, v in zip(parameters, values, strict=True)}
    )


UNITS = (-1, 0, 1)  # the constants a snap may set (a vanishing term, a unit coefficient)


def snap_units(
    expression: Any, symbols: Sequence[Any], X: np.ndarray, y: np.ndarray, snap: float,
    accepted_rmse: float,
) -> Any:  # fmt: skip
    """``expression`` with each float constant within ``snap`` of -1, 0 or 1 set to it exactly,
    one at a time from the nearest, the others refitted (:func:`refit`); a snap is kept where
    the RMSE stays at most ``accepted_rmse`` (the snapped expression is still eligible)."""
    sp = _sympy()
    y = np.asarray(y, dtype=np.float64)
    current = expression
    while True:
        near = sorted(
            (abs(float(c) - round(float(c))), float(c), c)
            for c in current.atoms(sp.Float)
            if round(float(c)) in UNITS and abs(float(c) - round(float(c))) <= snap
        )
        for _, value, constant in near:
            snapped = refit(current.xreplace({constant: sp.Integer(round(value))}), symbols, X, y)
            if rmse(snapped, symbols, X, y) <= accepted_rmse:
                current = snapped
                break
        else:
            return current


def _rational_parts(expression: Any, x: Any):
    """(numerator, denominator) of ``expression`` as sympy Polys in ``x`` over the reals, or
    None where it is not a rational function of ``x`` alone."""
    sp = _sympy()
    if expression.free_symbols - {x} or not expression.is_rational_function(x):
        return None
    numerator, denominator = sp.fraction(sp.cancel(sp.together(expression)))
    return sp.Poly(numerator, x, domain="RR"), sp.Poly(denominator, x, domain="RR")


def canonical_form(expression: Any, x: Any) -> Any:
    """One form of ``expression``: a rational function of ``x`` as its polynomial quotient plus
    a proper fraction with a monic denominator (``c + a/(x + b)``); another expression as sympy
    writes it."""
    parts = _rational_parts(expression, x)
    if parts is None:
        return expression
    numerator, denominator = parts
    lead = denominator.LC()
    numerator, denominator = numerator.quo_ground(lead), denominator.quo_ground(lead)
    quotient, remainder = numerator.div(denominator)
    return quotient.as_expr() + remainder.as_expr() / denominator.as_expr()


def _chopped(poly, x_values: np.ndarray) -> list[float]:
    """Coefficients of ``poly`` from degree 0 up, a term set to 0 where its largest size over
    ``x_values`` is below NEGLIGIBLE times the polynomial's."""
    coefficients = [float(c) for c in reversed(poly.all_coeffs())]
    terms = [abs(c) * np.max(np.abs(x_values) ** k) for k, c in enumerate(coefficients)]
    size = max(terms) if terms else 0.0
    return [
        c if term > NEGLIGIBLE * size else 0.0 for c, term in zip(coefficients, terms, strict=True)
    ]


def _degree(coefficients: Sequence[float]) -> int:
    nonzero = [k for k, c in enumerate(coefficients) if c != 0.0]
    return max(nonzero) if nonzero else -1


@dataclass(frozen=True)
class LawForm:
    """The structural comparison of an expression with ``c + Ka/(Kb + x)``."""

    matched: bool
    offset: float  # c (NaN unless matched)
    Ka: float  # K (NaN unless matched)
    Kb: float  # K (NaN unless matched)


NOT_MATCHED = LawForm(False, math.nan, math.nan, math.nan)


def law_form(expression: Any, x: Any, x_values: np.ndarray) -> LawForm:
    """Whether ``expression`` of ``x`` has the law's form ``c + Ka/(Kb + x)``: a rational
    function whose numerator has degree <= 1 and denominator degree 1, with Ka != 0, after
    terms negligible over ``x_values`` (K) are dropped; and its constants where it has."""
    parts = _rational_parts(expression, x)
    if parts is None:
        return NOT_MATCHED
    numerator, denominator = (_chopped(p, np.asarray(x_values, dtype=np.float64)) for p in parts)
    if _degree(denominator) != 1 or _degree(numerator) > 1:
        return NOT_MATCHED
    q0, q1 = denominator[:2]
    p0, p1 = (numerator + [0.0, 0.0])[:2]
    offset, Kb = p1 / q1, q0 / q1
    Ka = p0 / q1 - offset * Kb
    x_values = np.asarray(x_values, dtype=np.float64)
    if not abs(Kb) > NEGLIGIBLE * float(np.max(np.abs(x_values))):
        return NOT_MATCHED  # c + Ka/x: the linear function of x has no constant term
    with np.errstate(all="ignore"):
        varying = float(np.max(np.abs(Ka / (Kb + x_values))))
    if not varying > NEGLIGIBLE * abs(offset):
        return NOT_MATCHED  # a constant: no x-dependence left
    return LawForm(True, offset, Ka, Kb)


def alpha_points(alpha_table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(x = T - Tg in K, alpha) to regress: alpha averaged over the points of one polymer at
    one T - Tg (its molar masses), from an alpha table (columns Polymer, T_minus_Tg, alpha)."""
    rows = alpha_table.assign(x=alpha_table["T_minus_Tg"].round(9))
    means = rows.groupby(["Polymer", "x"], sort=True)["alpha"].mean().reset_index()
    return means["x"].to_numpy(np.float64), means["alpha"].to_numpy(np.float64)


@dataclass
class LawRecovery:
    """The closed form of alpha(T - Tg) found for one fit."""

    expression: str  # canonical form, DIGITS significant digits; "" where not attempted
    latex: str
    form_matched: bool  # c + Ka/(Kb + x)
    c_found: float  # c of the form (1 for the lecture's law); NaN unless matched
    Ka_found: float  # K; NaN unless matched
    Kb_found: float  # K; NaN unless matched
    complexity: int  # length of the chosen expression (Operon's nodes); 0 where not attempted
    rmse: float  # of alpha at the points (dimensionless)
    n_points: int  # distinct (polymer, T - Tg) regressed
    front_size: int  # expressions on the Pareto front
    seconds: float  # wall time of the search (a measurement, not a result)
    reason: str = ""  # why no search was run; "" when it was

    def as_row(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def not_attempted(reason: str, n_points: int = 0) -> LawRecovery:
    """A LawRecovery without a search, saying why."""
    nan = math.nan
    return LawRecovery("", "", False, nan, nan, nan, 0, nan, n_points, 0, 0.0, reason)


def describe(expression: Any) -> tuple[str, str]:
    """(text, LaTeX) of an expression, its constants rounded to DIGITS significant digits."""
    sp = _sympy()
    shown = rounded(expression)
    return str(shown), sp.latex(shown)


def recover_law(alpha_table: pd.DataFrame, settings: RecoverySettings, seed: int) -> LawRecovery:
    """Symbolic regression of alpha on x = T - Tg for one fit's alpha table (columns Polymer,
    T_minus_Tg in K, alpha): the chosen expression (:func:`search`) in canonical form, its unit
    constants snapped (:func:`snap_units`), and the law's constants read off it where its form
    is the law's (:func:`law_form`).  Not attempted (with the reason) where alpha is not finite
    (the model cannot tell it), constant over T - Tg (a model of pair features) or known at
    fewer than MIN_POINTS distinct T - Tg."""
    sp = _sympy()
    if len(alpha_table) == 0 or not np.all(np.isfinite(alpha_table["alpha"])):
        return not_attempted("alpha is not identifiable by this model")
    x_values, alpha = alpha_points(alpha_table)
    if np.ptp(alpha) <= 1e-9 * max(1.0, float(np.abs(alpha).max())):
        return not_attempted("alpha is constant over T - Tg (one alpha for all T)", len(alpha))
    distinct = len(np.unique(x_values))
    if distinct < MIN_POINTS:
        return not_attempted(f"{distinct} distinct T - Tg: the form needs {MIN_POINTS}", len(alpha))
    from pyoperon.sklearn import SymbolicRegressor  # noqa: F401  (imported before the clock)

    x = sp.Symbol(X_NAME)
    X = x_values.reshape(-1, 1)
    started = time.perf_counter()
    found = search(X, alpha, [x], settings.search, seed)
    seconds = time.perf_counter() - started
    snapped = snap_units(
        canonical_form(found.chosen.expression, x), [x], X, alpha, settings.snap,
        found.eligible_rmse,
    )  # fmt: skip
    form = canonical_form(snapped, x)
    text, latex = describe(form)
    law = law_form(form, x, x_values)
    return LawRecovery(
        text, latex, law.matched, law.offset, law.Ka, law.Kb, found.chosen.length,
        rmse(form, [x], X, alpha), len(alpha), found.front_size, seconds,
    )  # fmt: skip


def curve(expression: str, x_values: np.ndarray) -> np.ndarray:
    """An expression of x (text, as :class:`LawRecovery` writes it) at ``x_values`` (K)."""
    sp = _sympy()
    x = sp.Symbol(X_NAME)
    values = np.asarray(x_values, dtype=np.float64).reshape(-1, 1)
    return evaluate(sp.sympify(expression, locals={X_NAME: x}), [x], values)


SUMMARY_KEYS = (
    "n_fits", "n_searched", "form_found", "Ka_found", "Kb_found", "Ka_err_pct", "Kb_err_pct",
)  # fmt: skip


def seed_summary(rows: pd.DataFrame, truth: Mapping[str, float | None]) -> dict[str, Any]:
    """Over the fits of one group (one row per fold and seed, the fields of LawRecovery): how
    many were searched and how often the form was found, the mean Ka and Kb (K) where found, and
    the mean absolute relative error (%) of the found ones against ``truth`` (None: unknown)."""
    found = rows[rows["form_matched"].astype(bool)]
    summary: dict[str, Any] = {
        "n_fits": len(rows),
        "n_searched": int((rows["reason"].fillna("") == "").sum()),
        "form_found": len(found),
    }
    for name in ("Ka", "Kb"):
        values = found[f"{name}_found"].to_numpy(np.float64)
        summary[f"{name}_found"] = float(values.mean()) if len(values) else math.nan
        true = truth.get(name)
        summary[f"{name}_err_pct"] = (
            float(np.mean(np.abs(values / true - 1.0)) * 100.0)
            if len(values) and true
            else math.nan
        )
    return summary


def describe_summary(summary: Mapping[str, Any]) -> str:
    """One line of a :func:`seed_summary`: how often the form was found, and Ka, Kb."""
    text = f"the law's form found in {summary['form_found']} of {summary['n_fits']} fits"
    if summary["form_found"]:
        for name in ("Ka", "Kb"):
            error = summary[f"{name}_err_pct"]
            shown = "" if math.isnan(error) else f" (error {error:.3g} %)"
            text += f"; {name} {summary[f'{name}_found']:.5g} K{shown}"
    return text
