"""Polymers as the laws see them, and the presets users expect.

Presets: Zhu, Welle & Vitrac, Soft Matter 2019 (values as published in SFPPy), plus the lecture's
two polymers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Polymer:
    """A polymer: ``name`` (label used in tables and paths), ``Tg`` (glass transition
    temperature, K) and ``r_glassy`` (free-volume state parameter below Tg; 1 = rubbery
    everywhere, as in the lecture).  The law's constants (Ka, Kb) belong to the scenario."""

    name: str
    Tg: float
    r_glassy: float = 1.0


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
