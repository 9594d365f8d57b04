"""The kernel baseline: fit Ka, Kb (and r_glassy) of the scaling law directly to the pairs.

The prediction of a pair is a difference of :func:`contrastive_gs.physics.log_diffusivity`,

    logD_ratio(i, j) = -alpha(T_i, Tg_i) ln(M_i/M0) + alpha(T_j, Tg_j) ln(M_j/M0)

(``ln D0`` cancels), and ``Ka, Kb`` are fitted by nonlinear least squares
(:func:`scipy.optimize.least_squares`, analytic Jacobian) on the train pairs, with M0 known.
``r_glassy`` (one value for all polymers) is fitted only when the data span the glass transition
for some polymer (points below ``Tg - margin`` and above ``Tg + margin``); otherwise it cannot be
told apart from Kb and stays fixed (1, the lecture's rubbery state, unless told otherwise).

Standard errors are ``sqrt(diag(sigma^2 (J^T J)^-1))`` with ``sigma^2`` the residual variance.
They assume independent residuals, which pair residuals are not (each point sits in many pairs):
read them as a lower bound; the spread over seeds or noise draws is the honest uncertainty.

This is the best any method can do when the law's form is known: the yardstick for the networks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contrastive_gs import physics
from contrastive_gs.pairs import TARGET

log = logging.getLogger(__name__)
SPAN_MARGIN_K = 5.0  # data span Tg when some polymer has T < Tg - margin and T > Tg + margin
PARAMETERS = ("Ka", "Kb", "r_glassy")


def spans_glass_transition(T, Tg, margin_K: float = SPAN_MARGIN_K) -> bool:
    """True if, for some Tg value (a polymer), there are temperatures below ``Tg - margin_K``
    and above ``Tg + margin_K`` (all in K)."""
    T = np.asarray(T, dtype=np.float64).ravel()
    Tg = np.broadcast_to(np.asarray(Tg, dtype=np.float64), T.shape).ravel()
    for tg in np.unique(Tg):
        T_of = T[Tg == tg]
        if np.any(T_of < tg - margin_K) and np.any(T_of > tg + margin_K):
            return True
    return False


def linearised_start(
    dT: np.ndarray, alpha: np.ndarray, fit_r: bool, default: tuple[float, ...] = (140.0, 40.0, 0.5)
) -> list[float]:
    """Ka, Kb (and r_glassy) to start a fit from, given alpha at ``dT = T - Tg`` (K).

    On rubbery points (``dT > SPAN_MARGIN_K``) the law is the line
    ``1/(alpha - 1) = Kb/Ka + dT/Ka``; r_glassy is then the median of
    ``(Ka/(alpha - 1) - Kb)/dT`` on glassy points.  ``default`` where that is not possible.
    """
    dT, alpha = np.asarray(dT, dtype=np.float64), np.asarray(alpha, dtype=np.float64)
    start = list(default[:2])
    rubbery = (dT > SPAN_MARGIN_K) & (alpha > 1.0)
    if rubbery.sum() >= 2 and np.ptp(dT[rubbery]) > 0:
        slope, intercept = np.polyfit(dT[rubbery], 1.0 / (alpha[rubbery] - 1.0), 1)
        if slope > 0 and intercept > 0:
            start = [1.0 / slope, intercept / slope]
    if fit_r:
        glassy = (dT < -SPAN_MARGIN_K) & (alpha > 1.0)
        r = (
            np.median((start[0] / (alpha[glassy] - 1.0) - start[1]) / dT[glassy])
            if glassy.any()
            else np.nan
        )
        start.append(float(np.clip(r, 0.05, 2.0)) if np.isfinite(r) else default[2])
    return start


def _alpha_of_isotherms(points: pd.DataFrame, pairs_train: pd.DataFrame):
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


@dataclass(frozen=True)
class KernelSettings:
    """The ``kernel`` section of the config: the known M0 and where the search starts.

    The search starts from the line fitted to ``1/(alpha - 1)`` of the isotherms in the train
    pairs (pairs at equal T and Tg give alpha(T) as a slope; see :func:`linearised_start`), or
    from ``Ka0, Kb0, r0`` where the pairs hold no isotherms or ``start_from_isotherms`` is off.
    """

    M0: float = 100.0  # reference molar mass of the data, g/mol (known)
    Ka0: float = 140.0  # fallback starting Ka, K
    Kb0: float = 40.0  # fallback starting Kb, K
    r0: float = 0.5  # fallback starting r_glassy when it is fitted
    start_from_isotherms: bool = True
    r_fixed: float = 1.0  # r_glassy when it is not fitted
    fit_r: bool | None = None  # None: fit r_glassy if the data span Tg; True/False: force


@dataclass
class KernelFit:
    """Estimates of the scaling law fitted to pairs, with standard errors."""

    estimates: dict[str, float]  # Ka (K), Kb (K), r_glassy (-)
    stderr: dict[str, float]  # same keys; 0 for a parameter held fixed
    fitted: tuple[str, ...]  # names of the fitted parameters
    M0: float  # g/mol
    success: bool
    message: str
    n_pairs: int
    residual_std: float  # sqrt(2 cost / (n - p)), in units of logD_ratio

    def alpha(self, points: pd.DataFrame) -> np.ndarray:
        """alpha at each point with the fitted parameters (physics.alpha), shape (n,)."""
        e = self.estimates
        return physics.alpha(points["T"], points["Tg"], e["Ka"], e["Kb"], e["r_glassy"])

    def log_diffusivity(self, points: pd.DataFrame) -> np.ndarray:
        """ln D - ln D0 at each point (ln D0 is not identifiable from pairs), shape (n,)."""
        e = self.estimates
        return physics.log_diffusivity(
            points["M"], points["T"], points["Tg"], e["Ka"], e["Kb"], e["r_glassy"], self.M0, 1.0
        )

    def predict_pairs(self, points: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
        """Predicted logD_ratio of ``pairs`` (i, j index ``points``)."""
        g = self.log_diffusivity(points)
        return g[pairs["i"].to_numpy()] - g[pairs["j"].to_numpy()]


class _PairModel:
    """ln D - ln D0 of points and its derivatives in (Ka, Kb, r_glassy), pole-safe."""

    def __init__(self, points: pd.DataFrame, M0: float):
        self.T = points["T"].to_numpy(np.float64)
        self.Tg = points["Tg"].to_numpy(np.float64)
        self.lnM = np.log(points["M"].to_numpy(np.float64) / M0)
        # weight of the rubbery state in the blend: r = H + (1 - H) r_glassy
        self.H = physics.state_parameter(self.T, self.Tg, 0.0)

    def values_and_jacobian(self, Ka: float, Kb: float, r_glassy: float):
        dT = self.T - self.Tg
        denominator = Kb + (self.H + (1.0 - self.H) * r_glassy) * dT
        # Near the pole the iterate is far from any sensible fit: clip, so residuals stay finite.
        clipped = denominator <= physics.POLE_MARGIN_K
        denominator = np.where(clipped, physics.POLE_MARGIN_K, denominator)
        values = -(1.0 + Ka / denominator) * self.lnM
        d_denominator = np.where(clipped, 0.0, Ka * self.lnM / denominator**2)
        jacobian = np.column_stack(
            [-self.lnM / denominator, d_denominator, d_denominator * (1.0 - self.H) * dT]
        )
        return values, jacobian


def fit_kernel(
    points: pd.DataFrame, pairs_train: pd.DataFrame, settings: KernelSettings, label: str = ""
) -> KernelFit:
    """Fit the scaling law to ``pairs_train`` (columns i, j, logD_ratio; i, j are row positions
    in ``points``, columns M, T, Tg) by nonlinear least squares."""
    from scipy.optimize import least_squares

    i = pairs_train["i"].to_numpy()
    j = pairs_train["j"].to_numpy()
    y = pairs_train[TARGET].to_numpy(np.float64)
    used = np.union1d(i, j)
    fit_r = settings.fit_r
    if fit_r is None:
        fit_r = spans_glass_transition(points["T"].to_numpy()[used], points["Tg"].to_numpy()[used])
    fitted = PARAMETERS if fit_r else PARAMETERS[:2]
    default = (settings.Ka0, settings.Kb0, settings.r0)
    start = np.array(default[: len(fitted)])
    if settings.start_from_isotherms:
        start = np.array(
            linearised_start(*_alpha_of_isotherms(points, pairs_train), fit_r, default)
        )
    n_parameters = len(fitted)
    if len(y) <= n_parameters:
        raise ValueError(f"{label}: {len(y)} train pairs cannot fit {n_parameters} parameters")
    model = _PairModel(points, settings.M0)

    def full(theta):
        return (*theta, settings.r_fixed) if not fit_r else tuple(theta)

    def residuals(theta):
        values, _ = model.values_and_jacobian(*full(theta))
        return values[i] - values[j] - y

    def jacobian(theta):
        _, J = model.values_and_jacobian(*full(theta))
        return (J[i] - J[j])[:, :n_parameters]

    solution = least_squares(
        residuals, start, jac=jacobian, bounds=(0.0, np.inf), method="trf",
        x_scale="jac", ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=1000,
    )  # fmt: skip
    dof = len(y) - n_parameters
    sigma2 = 2.0 * solution.cost / dof
    J = solution.jac
    covariance = sigma2 * np.linalg.pinv(J.T @ J)
    errors = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    values = full(solution.x)
    estimates = {name: float(v) for name, v in zip(PARAMETERS, values, strict=True)}
    stderr = dict.fromkeys(PARAMETERS, 0.0)
    stderr.update({name: float(e) for name, e in zip(fitted, errors, strict=True)})
    result = KernelFit(
        estimates, stderr, fitted, settings.M0, bool(solution.success), str(solution.message),
        len(y), float(np.sqrt(sigma2)),
    )  # fmt: skip
    log.info("%s kernel fit: %s +- %s (%s)", label, estimates, stderr, solution.message)
    return result
