"""Points: synthetic ones on a grid of molar mass and temperature (one row per polymer, M, T),
or measured ones read from a table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from contrastive_gs.laws import Law
from contrastive_gs.polymers import Polymer

KELVIN_OFFSET = 273.15
POINT_COLUMNS = ["Polymer", "M", "T", "T_C", "Tg", "r", "alpha", "D", "logD"]


def grid(spec: Mapping[str, float]) -> np.ndarray:
    """numpy.linspace(start, stop, num) of a config grid entry ``{start, stop, num}``, float64."""
    return np.linspace(float(spec["start"]), float(spec["stop"]), int(spec["num"]))


def grid_points(M: np.ndarray, T_C: np.ndarray, polymers: Sequence[Polymer]) -> pd.DataFrame:
    """The grid of every polymer, ordered polymer, then M, then T (the lecture's order):
    columns Polymer, M (g/mol), T (K), T_C (degC), Tg (K)."""
    M_grid, T_grid = np.meshgrid(M, T_C + KELVIN_OFFSET, indexing="ij")
    M, T = M_grid.ravel(), T_grid.ravel()
    return pd.concat(
        [
            pd.DataFrame({"Polymer": p.name, "M": M, "T": T, "T_C": T - KELVIN_OFFSET, "Tg": p.Tg})
            for p in polymers
        ],
        ignore_index=True,
    )


@dataclass(frozen=True)
class SimulationSettings:
    """What :func:`simulate` needs: the law with its constants and a scenario's parameters."""

    law: Law
    values: Mapping[str, float]  # the scenario's parameters of the law (Ka, Kb in K)
    noise: float  # standard deviation of Gaussian noise added to ln D
    noise_seed: int
    M: np.ndarray  # molar masses, g/mol, shape (n_M,)
    T_C: np.ndarray  # temperatures, degC, shape (n_T,)
    polymers: tuple[Polymer, ...]


def simulate(settings: SimulationSettings) -> pd.DataFrame:
    """Points of the law on the grid, ordered polymer, then M, then T (the lecture's order).

    Columns: Polymer, M (g/mol), T (K), T_C (degC), Tg (K), r (state parameter at T), alpha,
    D (m^2/s), logD (natural log of D, noise included).
    """
    frames = []
    for polymer in settings.polymers:
        frame = grid_points(settings.M, settings.T_C, [polymer])
        values = {**settings.values, "r_glassy": polymer.r_glassy}
        columns = settings.law.point_columns(frame["M"], frame["T"], frame["Tg"], values)
        frames.append(frame.assign(**columns))
    points = pd.concat(frames, ignore_index=True)
    points["D"] = np.exp(points["logD"])
    return add_log_noise(points[POINT_COLUMNS], settings.noise, settings.noise_seed)


def add_log_noise(points: pd.DataFrame, sigma: float, seed: int) -> pd.DataFrame:
    """Points with Gaussian noise of standard deviation ``sigma`` added to ln D (D follows)."""
    if sigma <= 0:
        return points
    points = points.copy()
    points["logD"] += np.random.default_rng(seed).normal(0.0, sigma, len(points))
    points["D"] = np.exp(points["logD"])
    return points


def settings_from_params(
    params: Mapping, polymers: Sequence[Polymer], law: Law
) -> SimulationSettings:
    """SimulationSettings from the ``data`` section with the scenario applied."""
    return SimulationSettings(
        law=law,
        values={key: float(params[key]) for key in law.scenario_keys},
        noise=float(params["noise"]),
        noise_seed=int(params["noise_seed"]),
        M=grid(params["M"]),
        T_C=grid(params["T_C"]),
        polymers=tuple(polymers),
    )


MEASURED_COLUMNS = ["polymer", "M", "T", "Tg", "D"]  # required; "replicate" is optional


class DataFileError(ValueError):
    """A measured-data file that cannot be used; the message names the file and the problem."""


def read_measured(path: str | Path) -> pd.DataFrame:
    """Points from a measured table (CSV or Parquet): polymer, M (g/mol), T (K), Tg (K), D (m^2/s)
    and optionally replicate; one row per measurement.

    Returns the columns of :data:`POINT_COLUMNS` (``alpha`` and ``r`` unknown: NaN), rows sorted
    by polymer (order of first appearance), M, T, replicate.  Raises DataFileError for a missing
    file or column, a non-numeric, NaN or infinite value, M, T, Tg or D <= 0, duplicate rows, or a
    polymer with fewer than two points.
    """
    path = Path(path)
    try:
        table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except FileNotFoundError:
        raise DataFileError(f"data file {path}: not found") from None
    except Exception as error:  # parser errors of either format
        raise DataFileError(f"data file {path}: cannot be read ({error})") from error
    missing = [c for c in MEASURED_COLUMNS if c not in table.columns]
    if missing:
        raise DataFileError(
            f"data file {path}: missing column(s) {missing}; required: {MEASURED_COLUMNS}"
            " (+ optional replicate)"
        )
    for column in ["M", "T", "Tg", "D"]:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = ~np.isfinite(values.to_numpy(dtype=np.float64))
        if bad.any():
            raise DataFileError(
                f"data file {path}: column {column} has {bad.sum()} missing, non-numeric or "
                f"infinite value(s), first at row {int(np.flatnonzero(bad)[0]) + 2}"
            )
        if (values <= 0).any():
            row = int(np.flatnonzero((values <= 0).to_numpy())[0])
            raise DataFileError(
                f"data file {path}: column {column} must be > 0; row {row + 2} has "
                f"{float(values.iloc[row])!r}"
            )
        table[column] = values.astype(np.float64)
    if table["polymer"].isna().any():
        raise DataFileError(f"data file {path}: column polymer has missing values")
    key = ["polymer", "M", "T"] + (["replicate"] if "replicate" in table else [])
    duplicated = table.duplicated(key)
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise DataFileError(
            f"data file {path}: duplicate rows for {dict(table.loc[row, key])} (row {row + 2}); "
            "give replicates a 'replicate' column"
        )
    counts = table["polymer"].value_counts()
    if (counts < 2).any():
        raise DataFileError(
            f"data file {path}: polymer(s) {sorted(counts[counts < 2].index)} have a single "
            "point; contrastive pairs need at least two per polymer"
        )
    if (table.groupby("polymer")["Tg"].nunique() > 1).any():
        raise DataFileError(f"data file {path}: a polymer has several Tg values")
    order = {name: rank for rank, name in enumerate(pd.unique(table["polymer"]))}
    table = table.sort_values(key, key=lambda c: c.map(order) if c.name == "polymer" else c)
    return pd.DataFrame(
        {
            "Polymer": table["polymer"].astype(str).to_numpy(),
            "M": table["M"].to_numpy(),
            "T": table["T"].to_numpy(),
            "T_C": table["T"].to_numpy() - KELVIN_OFFSET,
            "Tg": table["Tg"].to_numpy(),
            "r": np.nan,
            "alpha": np.nan,
            "D": table["D"].to_numpy(),
            "logD": np.log(table["D"].to_numpy()),
        }
    )[POINT_COLUMNS]


def measured_polymers(points: pd.DataFrame) -> list[Polymer]:
    """The polymers of measured points (name and Tg; rubbery r, unused for measured data)."""
    first = points.drop_duplicates("Polymer")
    return [
        Polymer(name, float(Tg)) for name, Tg in zip(first["Polymer"], first["Tg"], strict=True)
    ]


def load_points(params: Mapping, polymers: Sequence[Polymer], law: Law) -> pd.DataFrame:
    """The points of a scenario: simulated on the grid, or read from ``params["path"]`` for
    ``source: file`` (with the scenario's noise, if any, added to ln D)."""
    if params["source"] == "simulate":
        return simulate(settings_from_params(params, polymers, law))
    return add_log_noise(read_measured(params["path"]), params["noise"], params["noise_seed"])
