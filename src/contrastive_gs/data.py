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
    D (m^2/s), logD (natural log of D, noise included), logD_true (without the noise).
    """
    frames = []
    for polymer in settings.polymers:
        frame = grid_points(settings.M, settings.T_C, [polymer])
        values = {**settings.values, "r_glassy": polymer.r_glassy}
        columns = settings.law.point_columns(frame, values)
        frames.append(frame.assign(**columns))
    points = pd.concat(frames, ignore_index=True)
    points["D"] = np.exp(points["logD"])
    points = add_log_noise(points[POINT_COLUMNS], settings.noise, settings.noise_seed)
    points["logD_true"] = pd.concat(frames, ignore_index=True)["logD"]  # without the noise
    return points


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


MEASURED_COLUMNS = ["polymer", "M", "T", "Tg", "D"]  # required, by these names or mapped ones
NUMERIC_COLUMNS = ["M", "T", "Tg", "D"]
OPTIONAL_COLUMNS = ["replicate", "solute", "series", "M_blob", "M_anchor", "source"]
NUMERIC_OPTIONAL = ["M_blob", "M_anchor"]
KEY = ["Polymer", "M", "T"]  # a measured condition; repeated conditions are replicates


class DataFileError(ValueError):
    """A measured-data file that cannot be used; the message names the file and the problem."""


def _read_table(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except FileNotFoundError:
        raise DataFileError(f"data file {path}: not found") from None
    except Exception as error:  # parser errors of either format
        raise DataFileError(f"data file {path}: cannot be read ({error})") from error


def _numeric(table: pd.DataFrame, column: str, path: Path, positive: bool = True) -> pd.Series:
    """A column as float64; DataFileError naming the first bad row (file rows, header = 1)."""
    values = pd.to_numeric(table[column], errors="coerce")
    bad = ~np.isfinite(values.to_numpy(dtype=np.float64))
    if bad.any():
        raise DataFileError(
            f"data file {path}: column {column} has {int(bad.sum())} missing, non-numeric or "
            f"infinite value(s), first at row {int(table['row'].to_numpy()[bad][0])}"
        )
    if positive and (values <= 0).any():
        first = int(np.flatnonzero((values <= 0).to_numpy())[0])
        raise DataFileError(
            f"data file {path}: column {column} must be > 0; row {int(table['row'].iloc[first])} "
            f"has {float(values.iloc[first]):g}"
        )
    return values.astype(np.float64)


def read_measured(
    path: str | Path, columns: Mapping[str, str] | None = None, T_unit: str = "K"
) -> pd.DataFrame:
    """Points from a measured table (CSV or Parquet), one row per measurement: polymer, M (g/mol),
    T and Tg (K, or degC with ``T_unit="degC"``), D (m^2/s), and optionally replicate, solute,
    series, M_blob, M_anchor (g/mol), source.

    ``columns`` maps these names to the file's own (e.g. ``{"T": "T_K"}``).  Rows that repeat a
    (polymer, M, T) are replicates: kept as points, numbered in ``replicate`` where the file does
    not number them.  Returns :data:`POINT_COLUMNS` (``alpha`` and ``r`` unknown: NaN), the
    optional columns present, and ``row`` (the file's row number, header = 1), sorted by polymer
    (order of first appearance), M, T, replicate.  Raises DataFileError for a missing file or
    column, a non-numeric, NaN or infinite value, M, T, Tg or D <= 0, or a polymer with two Tg.
    """
    path = Path(path)
    table = _read_table(path)
    renames = {file_name: name for name, file_name in (columns or {}).items()}
    unknown = sorted(set(renames) - set(table.columns))
    if unknown:
        raise DataFileError(
            f"data file {path}: data.columns names column(s) {unknown} that the file lacks; "
            f"it has {list(table.columns)}"
        )
    table = table.rename(columns=renames)
    missing = [c for c in MEASURED_COLUMNS if c not in table.columns]
    if missing:
        raise DataFileError(
            f"data file {path}: missing column(s) {missing}; required: {MEASURED_COLUMNS} "
            f"(optional: {OPTIONAL_COLUMNS}); it has {list(table.columns)}: map them with "
            "data.columns, e.g. {T: T_K}"
        )
    table = table.assign(row=np.arange(2, len(table) + 2))
    if table["polymer"].isna().any():
        first = int(table.loc[table["polymer"].isna(), "row"].iloc[0])
        raise DataFileError(f"data file {path}: column polymer has missing values (row {first})")
    offset = KELVIN_OFFSET if T_unit == "degC" else 0.0
    for column in NUMERIC_COLUMNS:
        table[column] = _numeric(table, column, path, positive=column not in ("T", "Tg"))
        if column in ("T", "Tg"):
            table[column] += offset
            if (table[column] <= 0).any():
                first = int(table.loc[table[column] <= 0, "row"].iloc[0])
                raise DataFileError(
                    f"data file {path}: column {column} must be above 0 K (T_unit {T_unit}); "
                    f"row {first} is not"
                )
    for column in NUMERIC_OPTIONAL:
        if column in table:
            table[column] = _numeric(table, column, path)
    table["Polymer"] = table["polymer"].astype(str)
    several_Tg = table.groupby("Polymer")["Tg"].nunique()
    if (several_Tg > 1).any():
        raise DataFileError(
            f"data file {path}: polymer(s) {sorted(several_Tg[several_Tg > 1].index)} have "
            "several Tg values; give each polymer one Tg"
        )
    if "replicate" not in table:
        table["replicate"] = table.groupby(KEY, sort=False).cumcount()
    order = {name: rank for rank, name in enumerate(pd.unique(table["Polymer"]))}
    table = table.sort_values(
        [*KEY, "replicate"], key=lambda c: c.map(order) if c.name == "Polymer" else c,
        kind="stable",
    )  # fmt: skip
    points = _points_frame(table, table["D"].to_numpy())
    for column in [*OPTIONAL_COLUMNS, "row"]:
        if column in table:
            points[column] = table[column].to_numpy()
    return points


def _points_frame(table: pd.DataFrame, D: np.ndarray) -> pd.DataFrame:
    """Points in the columns of simulated ones from a table of Polymer, M (g/mol), T and Tg (K),
    with diffusivities ``D`` (m^2/s, NaN where unknown); no r or alpha (unknown)."""
    return pd.DataFrame(
        {
            "Polymer": table["Polymer"].to_numpy(),
            "M": table["M"].to_numpy(),
            "T": table["T"].to_numpy(),
            "T_C": table["T"].to_numpy() - KELVIN_OFFSET,
            "Tg": table["Tg"].to_numpy(),
            "r": np.nan,
            "alpha": np.nan,
            "D": D,
            "logD": np.log(D),
        }
    )


QUERY_COLUMNS = ["polymer", "M", "T"]  # required of a query file; Tg optional


def read_query_file(
    path: str | Path, columns: Mapping[str, str] | None, T_unit: str, points: pd.DataFrame
) -> pd.DataFrame:
    """Query points from a CSV (polymer, M in g/mol, T and optional Tg in ``T_unit``), with the
    columns of points (D and ln D unknown: NaN) and, where the file has no Tg, the Tg of the
    polymer in ``points``."""
    path = Path(path)
    table = _read_table(path).rename(columns={v: k for k, v in (columns or {}).items()})
    missing = [c for c in QUERY_COLUMNS if c not in table.columns]
    if missing:
        raise DataFileError(
            f"query file {path}: missing column(s) {missing}; required: {QUERY_COLUMNS} "
            "(optional: Tg); map other names with predict.columns"
        )
    table = table.assign(row=np.arange(2, len(table) + 2))
    offset = KELVIN_OFFSET if T_unit == "degC" else 0.0
    table["M"] = _numeric(table, "M", path)
    table["T"] = _numeric(table, "T", path, positive=False) + offset
    Tg_of = points.drop_duplicates("Polymer").set_index("Polymer")["Tg"]
    table["Polymer"] = table["polymer"].astype(str)
    if "Tg" in table:
        table["Tg"] = _numeric(table, "Tg", path, positive=False) + offset
    else:
        table["Tg"] = table["Polymer"].map(Tg_of).astype(np.float64)
    queries = _points_frame(table, np.full(len(table), np.nan)).assign(row=table["row"].to_numpy())
    for column in NUMERIC_OPTIONAL:
        if column in table:
            queries[column] = _numeric(table, column, path).to_numpy()
    return queries


def replicate_spread(points: pd.DataFrame) -> pd.DataFrame:
    """Per measured condition (polymer, M, T) with replicates: their number, and the mean and
    standard deviation (ddof 1) of log10 D."""
    log10D = points["logD"] / np.log(10.0)
    table = (
        points.assign(log10D=log10D)
        .groupby(KEY, sort=False)["log10D"]
        .agg(n="size", mean_log10D="mean", sd_log10D="std")
        .reset_index()
    )
    return table[table["n"] > 1].reset_index(drop=True)


def invalid_rows(points: pd.DataFrame, law: Law) -> pd.DataFrame:
    """The points where ``law`` (with its known constants) is not valid: file row and reason."""
    reasons = law.check_points(points)
    bad = reasons != ""
    rows = points["row"] if "row" in points else pd.Series(points.index, index=points.index)
    return pd.DataFrame({"row": rows[bad].to_numpy(), "reason": reasons[bad].to_numpy()})


def measured_polymers(points: pd.DataFrame) -> list[Polymer]:
    """The polymers of measured points (name and Tg; rubbery r, unknown for measured data)."""
    first = points.drop_duplicates("Polymer")
    return [
        Polymer(name, float(Tg)) for name, Tg in zip(first["Polymer"], first["Tg"], strict=True)
    ]


def read_data_file(params: Mapping) -> pd.DataFrame:
    """The measured points of the ``data`` section (``path``, ``columns``, ``T_unit``)."""
    return read_measured(params["path"], params.get("columns"), params.get("T_unit", "K"))


def load_points(params: Mapping, polymers: Sequence[Polymer], law: Law) -> pd.DataFrame:
    """The points of a scenario: simulated on the grid, or read from ``params["path"]`` for
    ``source: file`` (with the scenario's noise, if any, added to ln D)."""
    if params["source"] == "simulate":
        return simulate(settings_from_params(params, polymers, law))
    return add_log_noise(read_data_file(params), params["noise"], params["noise_seed"])
