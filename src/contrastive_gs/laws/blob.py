"""``blob``: the blob scaling of homologous series (Zhu, Welle, Vitrac 2019; Fang et al. 2013):
linear solutes of N identical blobs of mass ``M_blob`` plus one anchor of mass ``M_anchor``,

    ln D = ln D1(T, polymer) - alpha(T, Tg) ln N,   N = (M - M_anchor) / M_blob,

with alpha the free-volume blend (:mod:`contrastive_gs.laws._sfppy`).  The reference D1 is
unknown and depends on T: only pairs of the same polymer and temperature cancel it, so only
they inform alpha (``informative_labels``), and the structured twin needs ``b(T, Tg)``.

What pairs identify: alpha at each temperature where a polymer has two molar masses (an
isotherm); Ka and Kb from three such temperatures (two: Ka alone), r_glassy where they span Tg.
``M_blob`` and ``M_anchor`` come from the data's columns of those names where it has them, else
from the ``blob`` config section.  A simulated scenario sets Ka and Kb; its reference is
``D1 = D0 exp(-E / (R T))`` with ``data.D0`` and ``blob.E`` (unknown to every fit).  One series
per polymer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from contrastive_gs.laws._base import (
    ALPHA_PARAMETERS,
    ESTIMATED,
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
from contrastive_gs.laws._sfppy import alpha_and_gradient, blended_alpha, outside_validity
from contrastive_gs.laws.free_volume import GAS_CONSTANT


@dataclass(frozen=True)
class BlobLaw(Law):
    """The blob law with its blob and anchor masses (g/mol) and the simulation's reference
    ``D1 = D0 exp(-E / (R T))`` (D0 in m^2/s, E in J/mol)."""

    M_blob: float
    M_anchor: float
    D0: float
    E: float

    name: ClassVar[str] = "blob"
    description: ClassVar[str] = (
        "ln D = ln D1(T, polymer) - alpha(T, Tg) ln N, N = (M - M_anchor)/M_blob"
    )
    parameters: ClassVar[tuple[Parameter, ...]] = ALPHA_PARAMETERS
    scenario_keys: ClassVar[tuple[str, ...]] = ("Ka", "Kb")
    allowed_b_inputs: ClassVar[tuple[str, ...]] = ("T_Tg",)

    @classmethod
    def config_constants(cls, config: Mapping[str, Any]) -> dict[str, float]:
        blob = config["blob"]
        return {
            "M_blob": float(blob["M_blob"]), "M_anchor": float(blob["M_anchor"]),
            "D0": float(config["data"]["D0"]), "E": float(blob["E"]),
        }  # fmt: skip

    def blobs(self, points: pd.DataFrame) -> np.ndarray:
        """N at each point: (M - M_anchor) / M_blob, with the point's own masses if it has them."""
        M = points["M"].to_numpy(np.float64)
        anchor = points["M_anchor"].to_numpy(np.float64) if "M_anchor" in points else self.M_anchor
        blob = points["M_blob"].to_numpy(np.float64) if "M_blob" in points else self.M_blob
        return (M - anchor) / blob

    def alpha_covariate(self, points: pd.DataFrame) -> np.ndarray:
        return np.log(self.blobs(points))

    def group_truth(self, values, polymers) -> dict[str, float]:
        return alpha_group_truth(values, polymers)

    def alpha(self, points: pd.DataFrame, values: Values) -> np.ndarray:
        r_glassy = values.get("r_glassy", 1.0)
        return blended_alpha(points["T"], points["Tg"], values["Ka"], values["Kb"], r_glassy)

    def log_diffusivity(self, points: pd.DataFrame, values: Values) -> np.ndarray:
        T = points["T"].to_numpy(np.float64)
        reference = np.log(self.D0) - self.E / (GAS_CONSTANT * T)
        return reference - self.alpha(points, values) * self.alpha_covariate(points)

    def point_columns(self, points: pd.DataFrame, values: Values) -> dict[str, np.ndarray]:
        return {
            "r": np.full(len(points), float(values.get("r_glassy", 1.0))),
            "alpha": self.alpha(points, values),
            "logD": self.log_diffusivity(points, values),
        }

    def validity_problem(self, points: pd.DataFrame, values: Values) -> str | None:
        if np.any(self.blobs(points) < 1.0):
            return f"M below M_anchor + M_blob ({self.M_anchor + self.M_blob:g} g/mol): N < 1"
        cut = outside_validity(points["T"], points["Tg"], values["Kb"], values.get("r_glassy", 1))
        if cut.any():
            return "T - Tg below the validity cut -Kb/r + 2 K (SFPPy refuses the law there)"
        return None

    def check_points(self, points: pd.DataFrame) -> pd.Series:
        N = self.blobs(points)
        reasons = [
            "" if n >= 1 else f"N = (M - M_anchor)/M_blob = {n:.4g} < 1: not a member of the series"
            for n in N
        ]
        return pd.Series(reasons, index=points.index)

    def informative_labels(self, points: pd.DataFrame) -> np.ndarray:
        """The isotherm of each point, (polymer, T): D1(T, polymer) cancels only in its pairs."""
        return (points["Polymer"].astype(str) + "|" + points["T"].map(repr)).to_numpy()

    def identifiability(self, points: pd.DataFrame) -> dict[str, str]:
        """From the isotherms: temperatures at which a polymer has two molar masses."""
        N = self.blobs(points)
        isotherms = (
            pd.DataFrame({"Polymer": points["Polymer"].to_numpy(), "T": points["T"].to_numpy(),
                          "Tg": points["Tg"].to_numpy(), "N": N})
            .groupby(["Polymer", "T", "Tg"], sort=False)["N"].nunique()
        )  # fmt: skip
        isotherms = isotherms[isotherms >= 2].reset_index()
        if isotherms.empty:
            return dict.fromkeys(
                self.parameter_names(),
                not_identifiable(
                    "no two molar masses at one temperature: D1(T) absorbs every pair"
                ),
            )
        dT = isotherms["T"] - isotherms["Tg"]
        statuses = temperature_statuses(distinct(dT))
        statuses["r_glassy"] = glass_transition_status(isotherms["T"], isotherms["Tg"])
        if statuses["Kb"] != ESTIMATED:
            statuses["r_glassy"] = not_identifiable("Ka and Kb first (held)")
        return statuses

    def start(self, points: pd.DataFrame, alpha: np.ndarray, estimated) -> list[float]:
        from contrastive_gs.laws.lecture import estimated_start

        dT = (points["T"] - points["Tg"]).to_numpy(np.float64)
        return estimated_start(self, dT, alpha, estimated)

    def _full(self, estimated, theta) -> dict[str, Any]:
        return {**self.fixed_values(estimated), **dict(zip(estimated, theta, strict=True))}

    def alpha_model(self, points: pd.DataFrame, estimated):
        estimated = tuple(estimated)
        T, Tg = points["T"].to_numpy(np.float64), points["Tg"].to_numpy(np.float64)

        def law(_, *theta):
            v = self._full(estimated, theta)
            return alpha_and_gradient(T, Tg, v["Ka"], v["Kb"], v["r_glassy"])[0]

        return law

    def point_model(self, points: pd.DataFrame, estimated) -> PointModel:
        estimated = tuple(estimated)
        T, Tg = points["T"].to_numpy(np.float64), points["Tg"].to_numpy(np.float64)
        lnN = self.alpha_covariate(points)
        columns = [self.parameter_names().index(name) for name in estimated]

        def values_and_jacobian(theta: np.ndarray):
            v = self._full(estimated, theta)
            alpha, gradient = alpha_and_gradient(T, Tg, v["Ka"], v["Kb"], v["r_glassy"])
            return -alpha * lnN, -lnN[:, None] * gradient[:, columns]

        return values_and_jacobian
