"""Synthetic points on a grid of molar mass and temperature, one row per (polymer, M, T)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contrastive_gs import physics

KELVIN_OFFSET = 273.15
POINT_COLUMNS = ["Polymer", "M", "T", "T_C", "Tg", "r", "alpha", "D", "logD"]


def grid(spec: Mapping[str, float]) -> np.ndarray:
    """numpy.linspace(start, stop, num) of a config grid entry ``{start, stop, num}``, float64."""
    return np.linspace(float(spec["start"]), float(spec["stop"]), int(spec["num"]))


@dataclass(frozen=True)
class SimulationSettings:
    """What :func:`simulate` needs; every field as in the ``data`` section of the config."""

    Ka: float  # K
    Kb: float  # K
    M0: float  # g/mol
    D0: float  # m^2/s
    noise: float  # standard deviation of Gaussian noise added to ln D
    noise_seed: int
    M: np.ndarray  # molar masses, g/mol, shape (n_M,)
    T_C: np.ndarray  # temperatures, degC, shape (n_T,)
    polymers: tuple[physics.Polymer, ...]


def simulate(settings: SimulationSettings) -> pd.DataFrame:
    """Points of the scaling law, ordered polymer, then M, then T (the lecture's order).

    Columns: Polymer, M (g/mol), T (K), T_C (degC), Tg (K), r (state parameter at T), alpha,
    D (m^2/s), logD (natural log of D, noise included).
    """
    M_grid, T_grid = np.meshgrid(settings.M, settings.T_C + KELVIN_OFFSET, indexing="ij")
    frames = []
    for polymer in settings.polymers:
        M, T = M_grid.ravel(), T_grid.ravel()
        frames.append(
            pd.DataFrame(
                {
                    "Polymer": polymer.name,
                    "M": M,
                    "T": T,
                    "T_C": T - KELVIN_OFFSET,
                    "Tg": polymer.Tg,
                    "r": physics.state_parameter(T, polymer.Tg, polymer.r_glassy),
                    "alpha": physics.alpha(
                        T, polymer.Tg, settings.Ka, settings.Kb, polymer.r_glassy
                    ),
                    "logD": physics.log_diffusivity(
                        M,
                        T,
                        polymer.Tg,
                        settings.Ka,
                        settings.Kb,
                        polymer.r_glassy,
                        settings.M0,
                        settings.D0,
                    ),
                }
            )
        )
    points = pd.concat(frames, ignore_index=True)
    if settings.noise > 0:
        rng = np.random.default_rng(settings.noise_seed)
        points["logD"] += rng.normal(0.0, settings.noise, len(points))
    points["D"] = np.exp(points["logD"])
    return points[POINT_COLUMNS]


def settings_from_params(params: dict, polymers: Sequence[physics.Polymer]) -> SimulationSettings:
    """SimulationSettings from the rule's params (the data section with the scenario applied)."""
    return SimulationSettings(
        Ka=float(params["Ka"]),
        Kb=float(params["Kb"]),
        M0=float(params["M0"]),
        D0=float(params["D0"]),
        noise=float(params["noise"]),
        noise_seed=int(params["noise_seed"]),
        M=grid(params["M"]),
        T_C=grid(params["T_C"]),
        polymers=tuple(polymers),
    )
