"""``free_volume``: the free-volume law of Zhu, Welle and Vitrac (Soft Matter 2019) as SFPPy
implements it, for one solute per polymer:

    ln D = ln D0 - E / (R T) - xi (alpha(T, Tg) + 1) / 0.24,   R = 8.31 J/mol/K

with alpha the blend of the glassy and rubbery branches (:mod:`contrastive_gs.laws._sfppy`).
``D0`` (m^2/s), ``xi`` (-), ``E`` (J/mol) and the published ``Ka, Kb`` (K) and ``r_glassy`` are
per polymer, from a parameter table (``free_volume.parameters``; by default the published one,
``data/free_volume_parameters.csv``).

What pairs identify: a ratio of two measurements of one polymer cancels D0 (and E where it is 0,
as published), leaving ``ln(D_i/D_j) = -(xi/0.24)(alpha_i - alpha_j)``; given xi, that is Ka and
Kb (xi Ka is what the pairs carry: xi comes from the table), and r_glassy where the data span Tg.
Each polymer contributes (its distinct temperatures - 1) independent differences: Ka and Kb need
2, Ka alone 1 (Kb held at the table's value).  alpha's level is not seen by pairs, only its
changes with T within a polymer.  A simulated scenario sets Ka and Kb for every polymer; the
other constants come from the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from contrastive_gs.laws._base import (
    ESTIMATED,
    Law,
    Parameter,
    PointModel,
    Values,
    glass_transition_status,
    not_identifiable,
)
from contrastive_gs.laws._sfppy import (
    BLEND_WIDTH_K,
    alpha_and_gradient,
    blended_alpha,
    outside_validity,
)

GAS_CONSTANT = 8.31  # J/mol/K, as SFPPy
XI_SCALE = 0.24  # xi (alpha + beta) / 0.24
BETA = 1.0
TABLE_COLUMNS = {  # column of the parameter table -> constant
    "polymer": "polymer", "D0_m2_s": "D0", "xi": "xi", "Ka_K": "Ka", "Kb_K": "Kb",
    "r_glassy": "r_glassy", "E_J_mol": "E",
}  # fmt: skip


class ParameterTableError(ValueError):
    """A free-volume parameter table that cannot be used; the message names the file."""


def read_parameter_table(path: str | Path) -> dict[str, dict[str, float]]:
    """``{polymer: {D0, xi, Ka, Kb, r_glassy, E}}`` from a CSV table with the columns of
    ``TABLE_COLUMNS`` (``Tg_K`` and ``parameter_source`` may be there too; unused)."""
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as error:
        raise ParameterTableError(f"free-volume parameter table {path}: {error}") from None
    missing = sorted(set(TABLE_COLUMNS) - set(table.columns))
    if missing:
        raise ParameterTableError(
            f"free-volume parameter table {path}: missing column(s) {missing}; "
            f"required: {sorted(TABLE_COLUMNS)}"
        )
    rows = {}
    for _, row in table.iterrows():
        values = {}
        for column, name in TABLE_COLUMNS.items():
            if name == "polymer":
                continue
            value = pd.to_numeric(row[column], errors="coerce")
            if not np.isfinite(value):
                raise ParameterTableError(
                    f"free-volume parameter table {path}: polymer {row['polymer']}: column "
                    f"{column} is not a number ({row[column]!r})"
                )
            values[name] = float(value)
        rows[str(row["polymer"])] = values
    return rows


@dataclass(frozen=True)
class FreeVolumeLaw(Law):
    """The free-volume law with its per-polymer constants: ``{polymer: {D0, xi, Ka, Kb,
    r_glassy, E}}``."""

    table: Mapping[str, Mapping[str, float]]

    name: ClassVar[str] = "free_volume"
    description: ClassVar[str] = "ln D = ln D0 - E/(R T) - xi (alpha(T, Tg) + 1)/0.24 (Zhu 2019)"
    parameters: ClassVar[tuple[Parameter, ...]] = (
        Parameter("Ka", "K", 0.0, np.inf, 140.0, "numerator of alpha - 1 (per polymer)"),
        Parameter("Kb", "K", 0.0, np.inf, 40.0, "offset of the denominator of alpha - 1"),
        Parameter("r_glassy", "-", 0.0, np.inf, 0.5, "state parameter below Tg"),
    )
    scenario_keys: ClassVar[tuple[str, ...]] = ("Ka", "Kb")
    allowed_b_inputs: ClassVar[tuple[str, ...]] = ("Tg",)
    alpha_level_from_pairs: ClassVar[bool] = False

    @classmethod
    def config_constants(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        return {"table": read_parameter_table(config["free_volume"]["parameters"])}

    def constants(self, points: pd.DataFrame) -> dict[str, np.ndarray]:
        """The table's constants at each point (by its polymer); ValueError naming a polymer
        that the table lacks."""
        polymers = points["Polymer"].astype(str).to_numpy()
        missing = sorted(set(polymers) - set(self.table))
        if missing:
            raise ValueError(
                f"free-volume parameters of polymer(s) {missing} are not in the table (has "
                f"{sorted(self.table)}); add a row (polymer, D0_m2_s, xi, Ka_K, Kb_K, r_glassy, "
                "E_J_mol) to free_volume.parameters"
            )
        names = next(iter(self.table.values())).keys()
        return {
            name: np.array([self.table[p][name] for p in polymers], dtype=np.float64)
            for name in names
        }

    def _values(self, points: pd.DataFrame, values: Values) -> dict[str, Any]:
        """Ka, Kb, r_glassy of ``values``, the table's where ``values`` lacks them."""
        table = self.constants(points)
        return {name: values.get(name, table[name]) for name in self.parameter_names()}

    def fixed_values(self, estimated, points=None) -> dict[str, Any]:
        if points is None:
            return super().fixed_values(estimated)
        table = self.constants(points)
        return {name: table[name] for name in self.parameter_names() if name not in estimated}

    def group_truth(self, values, polymers) -> dict[str, float]:
        """The scenario's Ka and Kb where known; r_glassy if the group's polymers (as the config
        gives them to the simulation) share one value."""
        known = {name: float(value) for name, value in values.items() if value is not None}
        distinct_r = {float(polymer.r_glassy) for polymer in polymers}
        if len(distinct_r) == 1:
            known["r_glassy"] = distinct_r.pop()
        return known

    def known_offset(self, points: pd.DataFrame) -> np.ndarray:
        """ln D0 - E/(R T) - xi beta / 0.24: what the table fixes at each point."""
        table = self.constants(points)
        T = points["T"].to_numpy(np.float64)
        return np.log(table["D0"]) - table["E"] / (GAS_CONSTANT * T) - table["xi"] * BETA / XI_SCALE

    def alpha_covariate(self, points: pd.DataFrame) -> np.ndarray:
        return self.constants(points)["xi"] / XI_SCALE

    def covariate_reference(self) -> float:
        return 0.0

    def alpha(self, points: pd.DataFrame, values: Values) -> np.ndarray:
        v = self._values(points, values)
        return blended_alpha(points["T"], points["Tg"], v["Ka"], v["Kb"], v["r_glassy"])

    def log_diffusivity(self, points: pd.DataFrame, values: Values) -> np.ndarray:
        return self.known_offset(points) - self.alpha_covariate(points) * self.alpha(points, values)

    def point_columns(self, points: pd.DataFrame, values: Values) -> dict[str, np.ndarray]:
        return {
            "r": self._values(points, values)["r_glassy"] * np.ones(len(points)),
            "alpha": self.alpha(points, values),
            "logD": self.log_diffusivity(points, values),
        }

    def _cut(self, points: pd.DataFrame, values: Values) -> np.ndarray:
        v = self._values(points, values)
        return outside_validity(points["T"], points["Tg"], v["Kb"], v["r_glassy"])

    def validity_problem(self, points: pd.DataFrame, values: Values) -> str | None:
        outside = self._cut(points, values)
        if not outside.any():
            return None
        worst = (points["T"] - points["Tg"]).to_numpy()[outside].min()
        return (
            f"T - Tg = {worst:.4g} K is below the validity cut -Kb/r + {BLEND_WIDTH_K:g} K "
            "(SFPPy refuses the law there)"
        )

    def shape_problem(self, points: pd.DataFrame) -> str | None:
        several = points.groupby("Polymer", sort=False)["M"].nunique()
        several = list(several[several > 1].index)
        if several:
            return (
                f"polymer(s) {several} have several molar masses: this free-volume law is for "
                "one solute per polymer (its xi belongs to the solute); use law lecture or blob "
                "for an M-dependence"
            )
        return None

    def check_points(self, points: pd.DataFrame) -> pd.Series:
        v = self._values(points, {})
        cut = -np.asarray(v["Kb"]) / np.asarray(v["r_glassy"]) + BLEND_WIDTH_K
        cut = np.broadcast_to(cut, len(points))
        dT = (points["T"] - points["Tg"]).to_numpy()
        reasons = [
            f"T - Tg = {d:.4g} K is below the validity cut -Kb/r + {BLEND_WIDTH_K:g} K = "
            f"{c:.4g} K of its polymer's published Kb and r"
            if d < c
            else ""
            for d, c in zip(dT, cut, strict=True)
        ]
        return pd.Series(reasons, index=points.index)

    def identifiability(self, points: pd.DataFrame) -> dict[str, str]:
        """From the independent temperature differences within polymers (see the module)."""
        temperatures = points.groupby("Polymer", sort=False)["T"].nunique()
        differences = int((temperatures - 1).clip(lower=0).sum())
        if differences == 0:
            reason = (
                "one point per polymer: no pair" if points.groupby("Polymer").size().max() < 2
                else "one temperature per polymer: pairs carry no temperature dependence"
            )  # fmt: skip
            return dict.fromkeys(self.parameter_names(), not_identifiable(reason))
        statuses = {"Ka": ESTIMATED, "Kb": ESTIMATED}
        if differences == 1:
            statuses["Kb"] = not_identifiable(
                "2 temperatures: Ka and Kb cannot be separated (Kb held at the table's value)"
            )
        statuses["r_glassy"] = glass_transition_status(points["T"], points["Tg"])
        if statuses["r_glassy"] == ESTIMATED and differences < 3:
            statuses["r_glassy"] = not_identifiable(
                f"{differences} temperature differences for 3 parameters (held)"
            )
        return statuses

    def start(self, points: pd.DataFrame, alpha: np.ndarray, estimated) -> list[float]:
        """The table's values, averaged over the points (the published parameters)."""
        table = self.constants(points)
        return [float(np.mean(table[name])) for name in estimated]

    def _full(self, points, estimated, theta) -> dict[str, Any]:
        return {**self.fixed_values(estimated, points), **dict(zip(estimated, theta, strict=True))}

    def alpha_model(self, points: pd.DataFrame, estimated):
        estimated = tuple(estimated)
        T, Tg = points["T"].to_numpy(np.float64), points["Tg"].to_numpy(np.float64)

        def law(_, *theta):
            v = self._full(points, estimated, theta)
            return alpha_and_gradient(T, Tg, v["Ka"], v["Kb"], v["r_glassy"])[0]

        return law

    def point_model(self, points: pd.DataFrame, estimated) -> PointModel:
        estimated = tuple(estimated)
        T, Tg = points["T"].to_numpy(np.float64), points["Tg"].to_numpy(np.float64)
        offset, covariate = self.known_offset(points), self.alpha_covariate(points)
        columns = [self.parameter_names().index(name) for name in estimated]

        def values_and_jacobian(theta: np.ndarray):
            v = self._full(points, estimated, theta)
            alpha, gradient = alpha_and_gradient(T, Tg, v["Ka"], v["Kb"], v["r_glassy"])
            return offset - covariate * alpha, -covariate[:, None] * gradient[:, columns]

        return values_and_jacobian
