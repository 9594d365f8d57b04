"""``kernel``: the law itself fitted to the pairs by nonlinear least squares, the yardstick.

The prediction of a pair is a difference of the law's ln D at its two points (what is common to
both, such as ln D0, cancels), and the parameters that the train points identify
(:meth:`contrastive_gs.laws.Law.identifiability`; ``fit_r`` can force r_glassy in or out) are
fitted by :func:`scipy.optimize.least_squares` (analytic Jacobian from the law) on the train
pairs that inform them (:meth:`~contrastive_gs.laws.Law.informative_pairs`); the others are held
at the law's values (:meth:`~contrastive_gs.laws.Law.fixed_values`).

Uncertainty: standard errors ``sqrt(diag(sigma^2 (J^T J)^-1))`` assume independent residuals,
which pair residuals are not (each point sits in many pairs): read them as a lower bound.  The
honest one is the bootstrap over points (``bootstrap`` resamples, stratified per polymer, seeded):
a resampled point weighs each of its pairs by its count, the law is refitted, and the 2.5 and
97.5 % quantiles of the estimates make a 95 % interval.  A parameter at a bound of its search, with
a relative standard error above 100 %, or fitted with no residual degree of freedom is flagged
``poorly determined``.

The search starts from the law's start values given alpha of the isotherms in the train pairs
(pairs at equal T and Tg give alpha(T) as a slope), or given no isotherm.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from contrastive_gs import allpairs, resampling
from contrastive_gs.families._base import Family, FittedModel, NotIdentifiable
from contrastive_gs.laws import ESTIMATED, Law
from contrastive_gs.pairs import TARGET

log = logging.getLogger(__name__)
FIT_R = {"auto": None, "yes": True, "no": False}
INTERVAL = (2.5, 97.5)  # percentiles of the bootstrap interval
MAX_REL_STDERR = 1.0  # above this relative standard error, an estimate is poorly determined


@dataclass(frozen=True)
class KernelSettings:
    """The ``kernel`` section of the config."""

    fit_r: Literal["auto", "yes", "no"]  # fit r_glassy: where the data identify it, always, never
    bootstrap: int  # resamples of the points for the interval (0: none)
    bootstrap_seed: int


@dataclass
class KernelFit(FittedModel):
    """The law's parameters fitted to pairs, with standard errors, bootstrap intervals and the
    status of each parameter."""

    law: Law
    values: dict[str, float]  # the fitted parameters
    stderr: dict[str, float]  # the fitted parameters' standard errors
    fitted: tuple[str, ...]  # names of the fitted parameters, in order
    success: bool
    message: str
    n_pairs: int
    residual_std: float  # sqrt(2 cost / (n - p)), in units of logD_ratio (NaN without dof)
    statuses: dict[str, str] = field(default_factory=dict)  # every parameter of the law
    interval: dict[str, tuple[float, float]] = field(default_factory=dict)  # fitted, bootstrap
    held: dict[str, float] = field(default_factory=dict)  # parameters held, where one value
    draws: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))  # bootstrap, (B, fitted)
    draw_counts: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))  # (B, points)

    @property
    def estimates(self) -> dict[str, float]:
        """Every parameter: fitted, or the value it is held at (NaN where it differs between
        polymers)."""
        return {
            name: self.values.get(name, self.held.get(name, np.nan))
            for name in self.law.parameter_names()
        }

    def parameter_values(self, points: pd.DataFrame) -> dict[str, Any]:
        """The law's parameters at ``points``: the fitted ones and the held ones."""
        return {**self.law.fixed_values(self.fitted, points), **self.values}

    def alpha(self, points: pd.DataFrame) -> np.ndarray | NotIdentifiable:
        """alpha at each point with the fitted parameters, shape (n,); not identifiable where the
        fitted law is not valid at every one of ``points``: a fit to the train points can put
        the law's pole among the points it did not see (held out, below Tg)."""
        values = self.parameter_values(points)
        problem = self.law.validity_problem(points, values)
        if problem is not None:
            return NotIdentifiable(f"the fitted law is not valid at these points: {problem}")
        return self.law.alpha(points, values)

    def log_diffusivity(self, points: pd.DataFrame) -> np.ndarray:
        """The law's ln D at each point, up to what pairs cannot tell (ln D0), shape (n,)."""
        model = self.law.point_model(points, self.fitted)
        return model(np.array([self.values[name] for name in self.fitted]))[0]

    def predict_pairs(self, points: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
        """Predicted logD_ratio of ``pairs`` (i, j index ``points``)."""
        g = self.log_diffusivity(points)
        return g[pairs["i"].to_numpy()] - g[pairs["j"].to_numpy()]

    def log_diffusivity_draws(self, points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
        """The law's ln D at each point under each bootstrap draw, shape (draws, n), and the
        draws' counts of the points of the fit; None without draws."""
        if not len(self.draws):
            return None
        model = self.law.point_model(points, self.fitted)
        return np.array([model(theta)[0] for theta in self.draws]), self.draw_counts

    def law_fit(self) -> dict[str, Any]:
        """The fit's own estimates, for the recovery tables (see
        :func:`contrastive_gs.recovery.fit_record`)."""
        names = self.law.parameter_names()
        return {
            "estimates": self.estimates,
            "stderr": {name: self.stderr.get(name, 0.0) for name in names},
            "fitted": list(self.fitted),
            "success": self.success,
            "reason": "" if self.success else self.message,
            "n_points": self.n_pairs,
            "interval": {name: list(self.interval[name]) for name in self.interval},
            "statuses": self.statuses,
        }


def alpha_of_isotherms(points: pd.DataFrame, pairs_train: pd.DataFrame, law: Law) -> pd.DataFrame:
    """Polymer, T, Tg (K) and alpha of each isotherm (polymer, T) of the train pairs: the
    least-squares slope of logD_ratio on the difference of the law's covariate over pairs at
    equal T and polymer, where logD_ratio = -alpha (u_i - u_j)."""
    T, Tg = points["T"].to_numpy(np.float64), points["Tg"].to_numpy(np.float64)
    polymer = points["Polymer"].to_numpy()
    i, j = pairs_train["i"].to_numpy(), pairs_train["j"].to_numpy()
    du = law.covariate_differences(points, pairs_train)
    same = (T[i] == T[j]) & (Tg[i] == Tg[j]) & (polymer[i] == polymer[j]) & (du != 0)
    if not same.any():
        return pd.DataFrame({"Polymer": [], "T": [], "Tg": [], "alpha": []})
    x, y = du[same], pairs_train[TARGET].to_numpy(np.float64)[same]
    keys, isotherm = np.unique(
        np.column_stack([T[i][same], Tg[i][same]]), axis=0, return_inverse=True
    )
    isotherm = isotherm.ravel()
    first = np.array([np.flatnonzero(isotherm == k)[0] for k in range(len(keys))])
    return pd.DataFrame(
        {
            "Polymer": polymer[i][same][first],
            "T": keys[:, 0],
            "Tg": keys[:, 1],
            "alpha": -np.bincount(isotherm, x * y) / np.bincount(isotherm, x * x),
        }
    )


def alpha_of_isotherms_in_blocks(
    points: pd.DataFrame, blocks: allpairs.BlockPairs, law: Law
) -> pd.DataFrame:
    """:func:`alpha_of_isotherms` of every pair within ``blocks``, in O(points): per block and
    isotherm (T, Tg), the slope -cov(ln D, u) / var(u) over its points (the pair slope: the
    within-block sums of pairs are n times the covariance sums)."""
    T, Tg = points["T"].to_numpy(np.float64), points["Tg"].to_numpy(np.float64)
    isotherm = pd.Series(T).map(repr) + "|" + pd.Series(Tg).map(repr)
    isotherms = blocks.refine(isotherm.to_numpy())
    first = isotherms.points[isotherms.starts[:-1]]
    u = law.alpha_covariate(points)[isotherms.points]
    logD = points["logD"].to_numpy(np.float64)[isotherms.points]
    rows = []
    bounds = zip(isotherms.starts[:-1], isotherms.starts[1:], strict=True)
    for b, (start, stop) in enumerate(bounds):
        du = u[start:stop] - u[start:stop].mean()
        if np.any(du):
            dy = logD[start:stop] - logD[start:stop].mean()
            rows.append((b, -(dy @ du) / (du @ du)))
    chosen = first[[b for b, _ in rows]]
    return pd.DataFrame(
        {
            "Polymer": points["Polymer"].to_numpy()[chosen],
            "T": T[chosen],
            "Tg": Tg[chosen],
            "alpha": np.array([alpha for _, alpha in rows], dtype=np.float64),
        }
    )


def estimated_parameters(
    law: Law, points: pd.DataFrame, fit_r: bool | None
) -> tuple[tuple[str, ...], dict[str, str]]:
    """The parameters to fit and every parameter's status: what the law says the points
    identify, with r_glassy forced in (``fit_r`` True) or out (False)."""
    statuses = dict(law.identifiability(points))
    if fit_r is True and statuses.get("Ka") == ESTIMATED:
        statuses["r_glassy"] = ESTIMATED
    elif fit_r is False and "r_glassy" in statuses:
        statuses["r_glassy"] = "held: kernel.fit_r is 'no'"
    fitted = tuple(name for name in law.parameter_names() if statuses[name] == ESTIMATED)
    return fitted, statuses


def _poorly_determined(
    law: Law, values: Mapping[str, float], stderr: Mapping[str, float], dof: int
) -> dict[str, str]:
    """Why each fitted parameter is poorly determined, for those that are."""
    flags = {}
    for name, value in values.items():
        parameter = law.parameter(name)
        scale = 1e-6 * max(1.0, abs(value))
        if value - parameter.lower <= scale or parameter.upper - value <= scale:
            flags[name] = f"poorly determined: at a bound of the search ({value:.4g})"
        elif dof <= 0:
            flags[name] = "poorly determined: no residual degree of freedom (exactly determined)"
        elif not np.isfinite(stderr[name]) or stderr[name] > MAX_REL_STDERR * abs(value):
            flags[name] = (
                f"poorly determined: relative standard error {stderr[name] / abs(value):.0%}"
            )
    return flags


class _Problem:
    """The weighted least-squares problem of the law on a table of pairs."""

    def __init__(self, law: Law, points: pd.DataFrame, pairs: pd.DataFrame, fitted):
        self.i, self.j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
        self.used = np.union1d(self.i, self.j)
        self.n_pairs = len(pairs)
        self.y = pairs[TARGET].to_numpy(np.float64)
        self.model = law.point_model(points, fitted)
        self.bounds = (
            [law.parameter(n).lower for n in fitted],
            [law.parameter(n).upper for n in fitted],
        )

    def weighted_pairs(self, counts: np.ndarray) -> int:
        """Pairs of non-zero weight under point counts ``counts``."""
        return int(np.count_nonzero(counts[self.i] * counts[self.j]))

    def residual_functions(self, counts: np.ndarray | None):
        """Residuals and Jacobian of the (weighted: pair weight ``c_i c_j``) pairs."""
        scale = None if counts is None else np.sqrt(counts[self.i] * counts[self.j])

        def residuals(theta):
            values, _ = self.model(theta)
            r = values[self.i] - values[self.j] - self.y
            return r if scale is None else scale * r

        def jacobian(theta):
            _, J = self.model(theta)
            J = J[self.i] - J[self.j]
            return J if scale is None else scale[:, None] * J

        return residuals, jacobian

    def solve(self, start: np.ndarray, counts: np.ndarray | None = None, max_nfev: int = 1000):
        from scipy.optimize import least_squares

        residuals, jacobian = self.residual_functions(counts)
        return least_squares(
            residuals, start, jac=jacobian, bounds=self.bounds, method="trf",
            x_scale="jac", ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=max_nfev,
        )  # fmt: skip


class _AllPairsProblem(_Problem):
    """The same problem over every pair within blocks of points, with one residual per point
    (:func:`contrastive_gs.allpairs.centred_residuals`): the same cost, Jacobian products and
    solution, in O(points)."""

    def __init__(self, law: Law, points: pd.DataFrame, blocks: allpairs.BlockPairs, fitted):
        self.blocks = blocks
        self.used = blocks.points
        self.n_pairs = blocks.n_pairs
        self.y = points["logD"].to_numpy(np.float64)[self.used]
        self.model = law.point_model(points, fitted)
        self.bounds = (
            [law.parameter(n).lower for n in fitted],
            [law.parameter(n).upper for n in fitted],
        )

    def weighted_pairs(self, counts: np.ndarray) -> int:
        return int(allpairs.pair_weight_sum(self.blocks, (counts[self.used] > 0).astype(float)))

    def residual_functions(self, counts: np.ndarray | None):
        weights = None if counts is None else counts[self.used]

        def residuals(theta):
            values, _ = self.model(theta)
            return allpairs.centred_residuals(values[self.used] - self.y, None, self.blocks,
                                              weights)[0]  # fmt: skip

        def jacobian(theta):
            values, J = self.model(theta)
            return allpairs.centred_residuals(
                values[self.used] - self.y, J[self.used], self.blocks, weights
            )[1]

        return residuals, jacobian


def bootstrap_draws(
    problem: _Problem,
    points: pd.DataFrame,
    solution: np.ndarray,
    fitted: tuple[str, ...],
    resamples: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The fitted parameters under ``resamples`` bootstrap draws of the train points
    (:mod:`contrastive_gs.resampling`), shape (draws, len(fitted)), and each draw's point counts
    (draws, len(points)); empty where fewer than half the draws (or 10) could be fitted."""
    rng = np.random.default_rng(seed)
    draws, counts = [], []
    for _ in range(resamples):
        count = resampling.point_counts(points, problem.used, rng)
        if problem.weighted_pairs(count) <= len(fitted):
            continue
        result = problem.solve(solution, count, max_nfev=1000)
        if result.success:
            draws.append(result.x)
            counts.append(count.astype(np.float32))
    if len(draws) < max(10, resamples // 2):
        log.warning("bootstrap: only %d of %d resamples could be fitted", len(draws), resamples)
        return np.empty((0, len(fitted))), np.empty((0, len(points)), dtype=np.float32)
    return np.array(draws), np.array(counts)


def _informative_train(
    points: pd.DataFrame, train: pd.DataFrame | allpairs.BlockPairs, law: Law
) -> pd.DataFrame | allpairs.BlockPairs:
    """The train pairs that inform the law's parameters (:meth:`Law.informative_labels`)."""
    if isinstance(train, allpairs.BlockPairs):
        labels = law.informative_labels(points)
        return train if labels is None else train.refine(labels)
    return train[law.informative_pairs(points, train["i"].to_numpy(), train["j"].to_numpy())]


def fit_kernel(
    points: pd.DataFrame,
    train: pd.DataFrame | allpairs.BlockPairs,
    law: Law,
    fit_r: bool | None = None,
    label: str = "",
    bootstrap: int = 0,
    bootstrap_seed: int = 0,
) -> KernelFit:
    """Fit ``law`` to the train pairs by nonlinear least squares; see the module docstring.

    ``train``: a table of pairs (columns i, j, logM_ratio, logD_ratio; i, j are row positions in
    ``points``), or every pair within blocks of points
    (:class:`~contrastive_gs.allpairs.BlockPairs`), fitted with one residual per point."""
    pairs = _informative_train(points, train, law)
    all_pairs = isinstance(pairs, allpairs.BlockPairs)
    n_pairs = pairs.n_pairs if all_pairs else len(pairs)
    used = (
        np.sort(pairs.points)
        if all_pairs
        else np.union1d(pairs["i"].to_numpy(), pairs["j"].to_numpy())
    )
    fitted, statuses = estimated_parameters(law, points.iloc[used], fit_r)
    held_values = law.fixed_values(fitted, points.iloc[used])
    held = {
        name: float(np.unique(value)[0])
        for name, value in held_values.items()
        if len(np.unique(np.asarray(value))) == 1
    }
    if not fitted:
        log.info("%s kernel: nothing to estimate (%s); the law's values held", label, statuses)
        return KernelFit(law, {}, {}, (), True, "nothing to estimate", n_pairs, np.nan,
                         statuses, {}, held)  # fmt: skip
    if n_pairs < len(fitted):
        raise ValueError(f"{label}: {n_pairs} train pairs cannot fit {len(fitted)} parameters")
    if all_pairs:
        isotherms = alpha_of_isotherms_in_blocks(points, pairs, law)
        problem = _AllPairsProblem(law, points, pairs, fitted)
    else:
        isotherms = alpha_of_isotherms(points, pairs, law)
        problem = _Problem(law, points, pairs, fitted)
    start_points = isotherms if len(isotherms) else points.iloc[used].assign(alpha=np.nan)
    start = np.array(law.start(start_points, start_points["alpha"].to_numpy(), fitted))
    solution = problem.solve(start)
    dof = n_pairs - len(fitted)
    sigma2 = 2.0 * solution.cost / dof if dof > 0 else np.nan
    J = solution.jac
    errors = np.sqrt(np.clip(np.diag(sigma2 * np.linalg.pinv(J.T @ J)), 0.0, None))
    values = dict(zip(fitted, map(float, solution.x), strict=True))
    stderr = {name: float(e) for name, e in zip(fitted, errors, strict=True)}
    statuses.update(_poorly_determined(law, values, stderr, dof))
    draws, counts = np.empty((0, len(fitted))), np.empty((0, len(points)), dtype=np.float32)
    if bootstrap:
        draws, counts = bootstrap_draws(
            problem, points, solution.x, fitted, bootstrap, bootstrap_seed
        )
    interval = {}
    if len(draws):
        low, high = np.percentile(draws, INTERVAL, axis=0)
        interval = {n: (float(lo), float(hi)) for n, lo, hi in zip(fitted, low, high, strict=True)}
    result = KernelFit(
        law, values, stderr, fitted, bool(solution.success), str(solution.message),
        n_pairs, float(np.sqrt(sigma2)), statuses, interval, held, draws, counts,
    )  # fmt: skip
    log.info("%s kernel fit: %s +- %s (%s)", label, result.estimates, stderr, solution.message)
    return result


class Kernel(Family):
    name: ClassVar[str] = "kernel"
    label: ClassVar[str] = "kernel"
    description: ClassVar[str] = "the law fitted to the pairs by nonlinear least squares"
    settings_type: ClassVar[type] = KernelSettings
    hyper_keys: ClassVar[tuple[str, ...]] = ("fit_r",)
    trains_on_all_pairs: ClassVar[bool] = True

    def fit(self, points, train_pairs, seeds, label):
        model = fit_kernel(
            points, train_pairs, self.law, FIT_R[self.settings.fit_r], label,
            self.settings.bootstrap, self.settings.bootstrap_seed,
        )  # fmt: skip
        return [model] * len(seeds)
