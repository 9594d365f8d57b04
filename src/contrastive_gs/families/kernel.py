"""``kernel``: the law itself fitted to the pairs by nonlinear least squares, the yardstick.

The prediction of a pair is a difference of the law's ``ln D - ln D0`` at its two points (``ln
D0`` cancels), and the law's parameters are fitted by :func:`scipy.optimize.least_squares`
(analytic Jacobian from the law) on the train pairs, with the law's constants (M0) known.
Which parameters are fitted is the law's answer to what the train points can identify
(``fit_r: auto``; for the lecture's law, r_glassy only where the data span Tg), or forced
(``"yes"``: all, ``"no"``: all but r_glassy).

Standard errors are ``sqrt(diag(sigma^2 (J^T J)^-1))`` with ``sigma^2`` the residual variance.
They assume independent residuals, which pair residuals are not (each point sits in many pairs):
read them as a lower bound; the spread over seeds or noise draws is the honest uncertainty.

The search starts from the law's line fitted to alpha of the isotherms in the train pairs (pairs
at equal T and Tg give alpha(T) as a slope), or from the parameters' start values where the
pairs hold no isotherms.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from contrastive_gs.families._base import Family, FittedModel
from contrastive_gs.laws import Law
from contrastive_gs.pairs import TARGET

log = logging.getLogger(__name__)
FIT_R = {"auto": None, "yes": True, "no": False}


@dataclass(frozen=True)
class KernelSettings:
    """The ``kernel`` section of the config."""

    fit_r: Literal["auto", "yes", "no"]  # fit r_glassy: where the data span Tg, always, never


@dataclass
class KernelFit(FittedModel):
    """Estimates of the law fitted to pairs, with standard errors."""

    law: Law
    estimates: dict[str, float]  # every parameter of the law, fitted or held at its default
    stderr: dict[str, float]  # same keys; 0 for a parameter held fixed
    fitted: tuple[str, ...]  # names of the fitted parameters
    success: bool
    message: str
    n_pairs: int
    residual_std: float  # sqrt(2 cost / (n - p)), in units of logD_ratio

    def alpha(self, points: pd.DataFrame) -> np.ndarray:
        """alpha at each point with the fitted parameters, shape (n,)."""
        return self.law.alpha(points["T"], points["Tg"], self.estimates)

    def log_diffusivity(self, points: pd.DataFrame) -> np.ndarray:
        """ln D - ln D0 at each point (ln D0 is not identifiable from pairs), shape (n,)."""
        model = self.law.point_model(
            points["M"].to_numpy(np.float64), points["T"].to_numpy(np.float64),
            points["Tg"].to_numpy(np.float64), self.fitted,
        )  # fmt: skip
        return model(np.array([self.estimates[name] for name in self.fitted]))[0]

    def predict_pairs(self, points: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
        """Predicted logD_ratio of ``pairs`` (i, j index ``points``)."""
        g = self.log_diffusivity(points)
        return g[pairs["i"].to_numpy()] - g[pairs["j"].to_numpy()]


def alpha_of_isotherms(
    points: pd.DataFrame, pairs_train: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """dT (K) and alpha of each isotherm (T, Tg) of the train pairs: the least-squares slope of
    logD_ratio on logM_ratio over pairs at equal T and Tg, where logD_ratio = -alpha logM_ratio."""
    T, Tg = points["T"].to_numpy(np.float64), points["Tg"].to_numpy(np.float64)
    i, j = pairs_train["i"].to_numpy(), pairs_train["j"].to_numpy()
    same = (T[i] == T[j]) & (Tg[i] == Tg[j]) & (pairs_train["logM_ratio"].to_numpy() != 0)
    if not same.any():
        return np.array([]), np.array([])
    x = pairs_train["logM_ratio"].to_numpy(np.float64)[same]
    y = pairs_train[TARGET].to_numpy(np.float64)[same]
    keys, isotherm = np.unique(
        np.column_stack([T[i][same], Tg[i][same]]), axis=0, return_inverse=True
    )
    isotherm = isotherm.ravel()
    alpha = -np.bincount(isotherm, x * y) / np.bincount(isotherm, x * x)
    return keys[:, 0] - keys[:, 1], alpha


def estimated_parameters(law: Law, T: np.ndarray, Tg: np.ndarray, fit_r: bool | None):
    """The parameters to fit: what the law says the points identify (``fit_r`` None), or all
    (True) or all but the defaulted ones (False)."""
    if fit_r is None:
        return law.estimable(T, Tg)
    names = law.parameter_names()
    return names if fit_r else tuple(p.name for p in law.parameters if p.default is None)


def fit_kernel(
    points: pd.DataFrame,
    pairs_train: pd.DataFrame,
    law: Law,
    fit_r: bool | None = None,
    label: str = "",
) -> KernelFit:
    """Fit ``law`` to ``pairs_train`` (columns i, j, logM_ratio, logD_ratio; i, j are row
    positions in ``points``, columns M, T, Tg) by nonlinear least squares."""
    from scipy.optimize import least_squares

    i = pairs_train["i"].to_numpy()
    j = pairs_train["j"].to_numpy()
    y = pairs_train[TARGET].to_numpy(np.float64)
    used = np.union1d(i, j)
    T, Tg = points["T"].to_numpy(np.float64), points["Tg"].to_numpy(np.float64)
    fitted = estimated_parameters(law, T[used], Tg[used], fit_r)
    if len(y) <= len(fitted):
        raise ValueError(f"{label}: {len(y)} train pairs cannot fit {len(fitted)} parameters")
    start = np.array(law.start(*alpha_of_isotherms(points, pairs_train), fitted))
    model = law.point_model(points["M"].to_numpy(np.float64), T, Tg, fitted)

    def residuals(theta):
        values, _ = model(theta)
        return values[i] - values[j] - y

    def jacobian(theta):
        _, J = model(theta)
        return J[i] - J[j]

    bounds = ([law.parameter(n).lower for n in fitted], [law.parameter(n).upper for n in fitted])
    solution = least_squares(
        residuals, start, jac=jacobian, bounds=bounds, method="trf",
        x_scale="jac", ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=1000,
    )  # fmt: skip
    sigma2 = 2.0 * solution.cost / (len(y) - len(fitted))
    J = solution.jac
    errors = np.sqrt(np.clip(np.diag(sigma2 * np.linalg.pinv(J.T @ J)), 0.0, None))
    estimates = law.fixed_values(fitted) | dict(zip(fitted, map(float, solution.x), strict=True))
    estimates = {name: float(estimates[name]) for name in law.parameter_names()}
    stderr = dict.fromkeys(law.parameter_names(), 0.0)
    stderr.update({name: float(e) for name, e in zip(fitted, errors, strict=True)})
    result = KernelFit(
        law, estimates, stderr, fitted, bool(solution.success), str(solution.message),
        len(y), float(np.sqrt(sigma2)),
    )  # fmt: skip
    log.info("%s kernel fit: %s +- %s (%s)", label, estimates, stderr, solution.message)
    return result


class Kernel(Family):
    name: ClassVar[str] = "kernel"
    label: ClassVar[str] = "kernel"
    description: ClassVar[str] = "the law fitted to the pairs by nonlinear least squares"
    settings_type: ClassVar[type] = KernelSettings
    hyper_keys: ClassVar[tuple[str, ...]] = ("fit_r",)

    def fit(self, points, train_pairs, seeds, label):
        model = fit_kernel(points, train_pairs, self.law, FIT_R[self.settings.fit_r], label)
        return [model] * len(seeds)
