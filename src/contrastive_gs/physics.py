"""The free-volume scaling law of solute diffusivity in polymers (float64, NumPy).

    D / D0 = (M / M0) ** -alpha(T, Tg),   alpha = 1 + Ka / (Kb + r (T - Tg))

Temperatures in K, molar masses in g/mol, D in m^2/s, logarithms natural.  Above Tg the polymer is
rubbery (r = 1); below Tg it is glassy with ``r_glassy <= 1``.  As in SFPPy, the two states are
blended smoothly with ``H = (1 + tanh(4 (T - Tg) / dT)) / 2`` and ``r = H + (1 - H) r_glassy``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

BLEND_WIDTH_K = 2.0  # dT of the glassy/rubbery blend (K)
POLE_MARGIN_K = 1.0  # smallest Kb + r (T - Tg) accepted (K): alpha has a pole where it is 0


@dataclass(frozen=True)
class Polymer:
    """A polymer as the scaling law sees it.

    name: label used in tables and paths; Tg: glass transition temperature (K);
    r_glassy: free-volume state parameter below Tg (1 = rubbery everywhere, as in the lecture).
    Ka and Kb belong to the scenario (one law for all polymers, as in the lecture).
    """

    name: str
    Tg: float
    r_glassy: float = 1.0


# Zhu, Welle & Vitrac, Soft Matter 2019 (values as published in SFPPy), plus the lecture's two:
# name -> (Tg in K, r glassy, Ka in K, Kb in K).
_PRESET_TABLE = {
    "PP": (273.0, 1.0, 140.0, 40.0),
    "HDPE": (173.0, 1.0, 140.0, 40.0),
    "LDPE": (148.15, 0.5, 144.0, 40.0),
    "PS": (373.15, 0.5, 144.0, 40.0),
    "PVAc": (305.15, 0.5, 142.0, 40.0),
    "PMMA": (381.15, 0.5, 252.0, 65.0),
    "gPET": (349.15, 0.6153, 252.0, 65.0),
    "wPET": (316.15, 0.2777, 252.0, 65.0),
}
PRESETS: dict[str, Polymer] = {
    name: Polymer(name, Tg, r) for name, (Tg, r, _, _) in _PRESET_TABLE.items()
}
PUBLISHED_CONSTANTS: dict[str, tuple[float, float]] = {
    name: (Ka, Kb) for name, (_, _, Ka, Kb) in _PRESET_TABLE.items()
}  # (Ka, Kb) in K: what to set data.Ka and data.Kb to for that polymer


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
