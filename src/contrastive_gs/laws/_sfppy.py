"""alpha of the free-volume theory as SFPPy implements it (Zhu, Welle, Vitrac 2019), shared by
the ``free_volume`` and ``blob`` laws: the glassy branch acts below Tg only, the two branches
blended over ``BLEND_WIDTH_K``,

    alpha = (1 - H) (1 + Ka / (r (T - Tg) + Kb)) + H (1 + Ka / (T - Tg + Kb)),
    H = (1 + tanh(4 (T - Tg) / dT)) / 2,   dT = 2 K,

and its validity cut: SFPPy refuses ``T - Tg < -Kb / r + dT`` (the glassy pole, and a margin).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

BLEND_WIDTH_K = 2.0  # dT of the blend (K), and the margin of the validity cut
POLE_MARGIN_K = 1.0  # denominators are clipped here while a search wanders


def rubbery_weight(T: ArrayLike, Tg: ArrayLike) -> np.ndarray:
    """H: 0 well below Tg, 1 well above."""
    dT = np.asarray(T, dtype=np.float64) - np.asarray(Tg, dtype=np.float64)
    return 0.5 * (1.0 + np.tanh(4.0 * dT / BLEND_WIDTH_K))


def blended_alpha(T, Tg, Ka, Kb, r_glassy) -> np.ndarray:
    """alpha of the free-volume theory at (T, Tg) in K (dimensionless)."""
    dT = np.asarray(T, dtype=np.float64) - np.asarray(Tg, dtype=np.float64)
    H = rubbery_weight(T, Tg)
    return (1.0 - H) * (1.0 + Ka / (r_glassy * dT + Kb)) + H * (1.0 + Ka / (dT + Kb))


def alpha_and_gradient(T, Tg, Ka, Kb, r_glassy) -> tuple[np.ndarray, np.ndarray]:
    """alpha and its derivatives in (Ka, Kb, r_glassy), shape (n,) and (n, 3); denominators
    clipped at ``POLE_MARGIN_K`` (where a search wanders, not at a fit)."""
    dT = np.asarray(T, dtype=np.float64) - np.asarray(Tg, dtype=np.float64)
    H = rubbery_weight(T, Tg)
    glassy = np.maximum(r_glassy * dT + Kb, POLE_MARGIN_K)
    rubbery = np.maximum(dT + Kb, POLE_MARGIN_K)
    alpha = (1.0 - H) * (1.0 + Ka / glassy) + H * (1.0 + Ka / rubbery)
    gradient = np.column_stack(
        np.broadcast_arrays(
            (1.0 - H) / glassy + H / rubbery,
            -(1.0 - H) * Ka / glassy**2 - H * Ka / rubbery**2,
            -(1.0 - H) * Ka * dT / glassy**2,
        )
    )
    return alpha, gradient


def outside_validity(T, Tg, Kb, r_glassy) -> np.ndarray:
    """True where SFPPy refuses the law: ``T - Tg < -Kb / r + dT``."""
    dT = np.asarray(T, dtype=np.float64) - np.asarray(Tg, dtype=np.float64)
    return dT < -np.asarray(Kb, dtype=np.float64) / np.asarray(r_glassy) + BLEND_WIDTH_K
