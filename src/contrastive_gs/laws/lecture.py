"""The lecture's scaling law: one alpha(T, Tg) for every polymer, with M0 and D0 known.

    ln D = ln D0 - alpha(T, Tg) ln(M / M0),   alpha = 1 + Ka / (Kb + r (T - Tg))

Temperatures in K, molar masses in g/mol, D in m^2/s, logarithms natural.  Above Tg the polymer is
rubbery (r = 1); below Tg it is glassy with ``r_glassy <= 1``.  As in SFPPy, the two states are
blended smoothly with ``H = (1 + tanh(4 (T - Tg) / dT)) / 2`` and ``r = H + (1 - H) r_glassy``.

What pairs identify: ``ln D0`` cancels in every pair; alpha's M-dependence needs two molar masses
in a polymer; Ka and Kb need alpha at three or more distinct ``T - Tg`` (two: Ka alone, Kb held
at its start value); ``r_glassy`` only where the data span Tg (points below ``Tg - 5 K`` and above
``Tg + 5 K``), else it cannot be told apart from Kb and stays at 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from contrastive_gs.laws._base import (
    ALPHA_PARAMETERS,
    ESTIMATED,
    SPAN_MARGIN_K,
    Law,
    Parameter,
    PointModel,
    Values,
    alpha_group_truth,
    distinct,
    glass_transition_status,
    not_identifiable,
    temperature_statuses,
)

BLEND_WIDTH_K = 2.0  # dT of the glassy/rubbery blend (K)
POLE_MARGIN_K = 1.0  # smallest Kb + r (T - Tg) accepted (K): alpha has a pole where it is 0


def state_parameter(T: ArrayLike, Tg: ArrayLike, r_glassy: ArrayLike = 1.0) -> np.ndarray:
    """r(T): 1 above Tg, ``r_glassy`` below, blended over ``BLEND_WIDTH_K`` (dimensionless)."""
    T, Tg, r_glassy = (np.asarray(v, dtype=np.float64) for v in (T, Tg, r_glassy))
    rubbery_weight = 0.5 * (1.0 + np.tanh(4.0 * (T - Tg) / BLEND_WIDTH_K))
    return rubbery_weight + (1.0 - rubbery_weight) * r_glassy


def pole_distance(
    T: ArrayLike, Tg: ArrayLike, Kb: ArrayLike, r_glassy: ArrayLike = 1.0
) -> np.ndarray:
    """Kb + r (T - Tg) in K: alpha's denominator, which must stay positive."""
    T, Tg, Kb = (np.asarray(v, dtype=np.float64) for v in (T, Tg, Kb))
    return Kb + state_parameter(T, Tg, r_glassy) * (T - Tg)


def alpha(
    T: ArrayLike, Tg: ArrayLike, Ka: ArrayLike, Kb: ArrayLike, r_glassy: ArrayLike = 1.0
) -> np.ndarray:
    """Scaling exponent alpha(T, Tg) = 1 + Ka / (Kb + r (T - Tg)) (dimensionless).

    Raises ValueError where the denominator is within ``POLE_MARGIN_K`` of the pole.
    """
    denominator = pole_distance(T, Tg, Kb, r_glassy)
    if np.any(denominator <= POLE_MARGIN_K):
        worst = float(np.min(denominator))
        raise ValueError(
            f"alpha has a pole: Kb + r (T - Tg) = {worst:.4g} K, must exceed {POLE_MARGIN_K} K"
        )
    return 1.0 + np.asarray(Ka, dtype=np.float64) / denominator


def log_diffusivity(
    M: ArrayLike,
    T: ArrayLike,
    Tg: ArrayLike,
    Ka: ArrayLike,
    Kb: ArrayLike,
    r_glassy: ArrayLike = 1.0,
    M0: float = 100.0,
    D0: float = 1e-9,
) -> np.ndarray:
    """ln D = ln D0 - alpha(T, Tg) ln(M / M0), D in the units of D0 (m^2/s)."""
    M = np.asarray(M, dtype=np.float64)
    return np.log(D0) - alpha(T, Tg, Ka, Kb, r_glassy) * np.log(M / M0)


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


def _T_Tg(points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return points["T"].to_numpy(np.float64), points["Tg"].to_numpy(np.float64)


def estimated_start(law: Law, dT: np.ndarray, alpha: np.ndarray, estimated) -> list[float]:
    """Start values of the ``estimated`` parameters of a law with the lecture's alpha
    (``ALPHA_PARAMETERS``), from alpha at ``dT`` = T - Tg (K) by :func:`linearised_start`; the
    parameters' own starts where the data suggest none."""
    default = tuple(p.start for p in law.parameters)
    start = linearised_start(dT, alpha, "r_glassy" in estimated, default)
    names = law.parameter_names()
    return [value for name, value in zip(names, start, strict=False) if name in estimated]


@dataclass(frozen=True)
class LectureLaw(Law):
    """The lecture's law with its known reference mass ``M0`` (g/mol) and ``D0`` (m^2/s)."""

    M0: float
    D0: float

    name: ClassVar[str] = "lecture"
    description: ClassVar[str] = (
        "ln D = ln D0 - alpha(T, Tg) ln(M/M0), alpha = 1 + Ka/(Kb + r (T - Tg))"
    )
    parameters: ClassVar[tuple[Parameter, ...]] = ALPHA_PARAMETERS
    scenario_keys: ClassVar[tuple[str, ...]] = ("Ka", "Kb")

    @classmethod
    def config_constants(cls, config) -> dict[str, float]:
        return {"M0": float(config["data"]["M0"]), "D0": float(config["data"]["D0"])}

    def covariate_reference(self) -> float:
        return float(np.log(self.M0))

    def group_truth(self, values, polymers) -> dict[str, float]:
        return alpha_group_truth(values, polymers)

    def point_columns(self, points: pd.DataFrame, values: Values) -> dict[str, np.ndarray]:
        """``r`` (state parameter at T), ``alpha`` and ``logD`` of points."""
        T, Tg = _T_Tg(points)
        r_glassy = values.get("r_glassy", 1.0)
        return {
            "r": state_parameter(T, Tg, r_glassy),
            "alpha": self.alpha(points, values),
            "logD": self.log_diffusivity(points, values),
        }

    def alpha(self, points: pd.DataFrame, values: Values) -> np.ndarray:
        T, Tg = _T_Tg(points)
        return alpha(T, Tg, values["Ka"], values["Kb"], values.get("r_glassy", 1.0))

    def log_diffusivity(self, points: pd.DataFrame, values: Values) -> np.ndarray:
        T, Tg = _T_Tg(points)
        return log_diffusivity(
            points["M"].to_numpy(np.float64), T, Tg, values["Ka"], values["Kb"],
            values.get("r_glassy", 1.0), self.M0, self.D0,
        )  # fmt: skip

    def validity_problem(self, points: pd.DataFrame, values: Values) -> str | None:
        T, Tg = _T_Tg(points)
        margin = pole_distance(T, Tg, values["Kb"], values.get("r_glassy", 1.0)).min()
        if margin > POLE_MARGIN_K:
            return None
        return (
            f"Kb + r (T - Tg) = {margin:.4g} K at some of the points; allowed: > {POLE_MARGIN_K} K "
            "at every point"
        )

    def identifiability(self, points: pd.DataFrame) -> dict[str, str]:
        """alpha's M-dependence needs two molar masses in a polymer; Ka and Kb need three
        temperatures (two: Ka alone); r_glassy needs points on both sides of a Tg."""
        T, Tg = _T_Tg(points)
        names = self.parameter_names()
        by_polymer = points.groupby("Polymer", sort=False)["M"].nunique()
        if len(points) == 0 or by_polymer.max() < 2:
            return dict.fromkeys(
                names, not_identifiable("one molar mass: alpha's M-dependence cannot be seen")
            )
        statuses = temperature_statuses(distinct(T - Tg))
        statuses["r_glassy"] = glass_transition_status(T, Tg)
        if statuses["Kb"] != ESTIMATED:
            statuses["r_glassy"] = not_identifiable("Ka and Kb first (held)")
        return statuses

    def alpha_covariate(self, points: pd.DataFrame) -> np.ndarray:
        return np.log(points["M"].to_numpy(np.float64))

    def covariate_differences(self, points: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
        """The pairs' own ``logM_ratio`` = ln(M_i/M_j)."""
        return pairs["logM_ratio"].to_numpy(np.float64)

    def start(self, points: pd.DataFrame, alpha: np.ndarray, estimated) -> list[float]:
        T, Tg = _T_Tg(points)
        return estimated_start(self, T - Tg, alpha, estimated)

    def _rubbery_weight_and_dT(self, points: pd.DataFrame):
        T, Tg = _T_Tg(points)
        return state_parameter(T, Tg, 0.0), T - Tg  # r = H + (1 - H) r_glassy

    def _full(self, estimated, theta) -> tuple[float, float, float]:
        values = {**self.fixed_values(estimated), **dict(zip(estimated, theta, strict=True))}
        return values["Ka"], values["Kb"], values["r_glassy"]

    def alpha_model(self, points: pd.DataFrame, estimated):
        H, dT = self._rubbery_weight_and_dT(points)
        estimated = tuple(estimated)

        def law(_, *theta):
            Ka, Kb, r_glassy = self._full(estimated, theta)
            denominator = Kb + (H + (1.0 - H) * r_glassy) * dT
            return 1.0 + Ka / np.maximum(denominator, POLE_MARGIN_K)

        return law

    def point_model(self, points: pd.DataFrame, estimated) -> PointModel:
        H, dT = self._rubbery_weight_and_dT(points)
        lnM = np.log(points["M"].to_numpy(np.float64) / self.M0)
        estimated = tuple(estimated)
        columns = [self.parameter_names().index(name) for name in estimated]

        def values_and_jacobian(theta: np.ndarray):
            Ka, Kb, r_glassy = self._full(estimated, theta)
            denominator = Kb + (H + (1.0 - H) * r_glassy) * dT
            # Near the pole the iterate is far from any sensible fit: clip, so values stay finite.
            clipped = denominator <= POLE_MARGIN_K
            denominator = np.where(clipped, POLE_MARGIN_K, denominator)
            values = -(1.0 + Ka / denominator) * lnM
            d_denominator = np.where(clipped, 0.0, Ka * lnM / denominator**2)
            jacobian = np.column_stack(
                [-lnM / denominator, d_denominator, d_denominator * (1.0 - H) * dT]
            )
            return values, jacobian[:, columns]

        return values_and_jacobian
