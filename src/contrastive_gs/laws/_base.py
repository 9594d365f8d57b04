"""What every scaling law declares: its parameters (units, bounds, start values), the constants it
knows, and the functions that simulation, validation, fitting and recovery call.

A law is a frozen dataclass of its *known constants* (for the lecture: M0 and D0 of the ``data``
section; for the free-volume law: the table of per-polymer parameters); the values of its
parameters travel separately, as a mapping ``{name: value}`` (a scenario's truth, a fit's
estimate; a value is a number or one per point).  Every point-level function takes a points
table (columns Polymer, M in g/mol, T and Tg in K, and what the law reads besides, e.g. N).
Temperatures in K, M in g/mol, D in m^2/s, logarithms natural.

What pairs can identify is the law's to say (:meth:`Law.identifiability`), before any fit: each
parameter is ``estimated`` or ``not identifiable: <reason>``; a parameter that is not estimated
is held at :meth:`Law.fixed_values` wherever a fit needs it.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from contrastive_gs.polymers import Polymer

Values = Mapping[str, ArrayLike]  # parameter name -> value (a number, or one per point)
# A model of ln D at fixed points, up to a constant common to every pair it is used on: theta
# (the estimated parameters, in order) -> (values of shape (n,), Jacobian of shape (n, len(theta))).
PointModel = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
ESTIMATED = "estimated"
SPAN_MARGIN_K = 5.0  # data span Tg when some polymer has T < Tg - margin and T > Tg + margin


def not_identifiable(reason: str) -> str:
    """The status of a parameter that the data cannot tell."""
    return f"not identifiable: {reason}"


@dataclasses.dataclass(frozen=True)
class Parameter:
    """A parameter of a law: what a fit may estimate."""

    name: str
    unit: str  # "K", "-" (dimensionless), ...
    lower: float  # bounds of the estimate
    upper: float
    start: float  # where a search starts when the data suggest nothing better
    description: str
    default: float | None = None  # value when it is not estimated (None: held at its start)


# alpha = 1 + Ka / (Kb + r (T - Tg)), with r = r_glassy below Tg: the parameters of every law
# whose alpha is the lecture's (the lecture's law, the blob law).
ALPHA_PARAMETERS = (
    Parameter("Ka", "K", 0.0, np.inf, 140.0, "numerator of alpha - 1"),
    Parameter("Kb", "K", 0.0, np.inf, 40.0, "offset of the denominator of alpha - 1"),
    Parameter("r_glassy", "-", 0.0, np.inf, 0.5, "state parameter below Tg (1: rubbery)", 1.0),
)


def alpha_group_truth(values: Mapping[str, float | None], polymers) -> dict[str, float]:
    """The true parameters of :data:`ALPHA_PARAMETERS` for a group of ``polymers``: Ka and Kb
    (K) where known, and r_glassy if the group's polymers share one value."""
    known = {name: float(value) for name, value in values.items() if value is not None}
    distinct_r = {float(polymer.r_glassy) for polymer in polymers}
    if len(distinct_r) == 1:
        known["r_glassy"] = distinct_r.pop()
    return known


def distinct(values: ArrayLike, digits: int = 9) -> int:
    """Number of distinct values (rounded to ``digits`` decimals)."""
    return len(np.unique(np.round(np.asarray(values, dtype=np.float64), digits)))


def glass_transition_status(T: np.ndarray, Tg: np.ndarray) -> str:
    """Whether the points identify the glassy state parameter: points below ``Tg - 5 K`` and
    above ``Tg + 5 K`` in one polymer (one Tg)."""
    T, Tg = np.broadcast_arrays(np.asarray(T, dtype=np.float64), np.asarray(Tg, dtype=np.float64))
    below = above = False
    for tg in np.unique(Tg):
        of = T[Tg == tg]
        if np.any(of < tg - SPAN_MARGIN_K) and np.any(of > tg + SPAN_MARGIN_K):
            return ESTIMATED
        below |= bool(np.any(of < tg - SPAN_MARGIN_K))
        above |= bool(np.any(of > tg + SPAN_MARGIN_K))
    if not below:
        return not_identifiable(
            f"no point {SPAN_MARGIN_K:g} K below Tg: r acts only below Tg (held at its default)"
        )
    if not above:
        return not_identifiable(
            f"no point {SPAN_MARGIN_K:g} K above Tg: r cannot be told apart from Kb (held)"
        )
    return not_identifiable("no polymer has points on both sides of its Tg (held)")


def temperature_statuses(n_temperatures: int, ka: str = "Ka", kb: str = "Kb") -> dict[str, str]:
    """Statuses of Ka and Kb from the number of distinct temperatures that inform alpha: both
    from 3 on; Ka alone (Kb held) from 2; neither from 1 or none."""
    if n_temperatures >= 3:
        return {ka: ESTIMATED, kb: ESTIMATED}
    if n_temperatures == 2:
        return {
            ka: ESTIMATED,
            kb: not_identifiable(f"2 temperatures: {ka} and {kb} cannot be separated (held)"),
        }
    reason = "1 temperature: alpha has one value there" if n_temperatures == 1 else "no temperature"
    return {ka: not_identifiable(reason), kb: not_identifiable(reason)}


class Law(ABC):
    """A scaling law of diffusivity; subclasses are frozen dataclasses of the known constants."""

    name: ClassVar[str]
    parameters: ClassVar[tuple[Parameter, ...]]
    scenario_keys: ClassVar[tuple[str, ...]]  # parameters a simulated scenario sets (data keys)
    description: ClassVar[str]
    # How the structured twin's b may depend on a point: b(T, Tg), b(Tg) or both allowed.
    allowed_b_inputs: ClassVar[tuple[Literal["T_Tg", "Tg"], ...]] = ("T_Tg", "Tg")
    # Whether pairs fix alpha's level (True), or only its changes with T within a polymer.
    alpha_level_from_pairs: ClassVar[bool] = True

    @classmethod
    @abstractmethod
    def config_constants(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        """The law's known constants from a whole (validated) config, as plain values."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Law:
        """The law with its known constants from a whole (validated) config."""
        return cls(**cls.config_constants(config))

    @classmethod
    def parameter(cls, name: str) -> Parameter:
        return next(p for p in cls.parameters if p.name == name)

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        return tuple(p.name for p in cls.parameters)

    def covariate_reference(self) -> float | None:
        """The known reference of :meth:`alpha_covariate` (ln M0 for the lecture), if any."""
        return None

    def fixed_values(
        self, estimated: Sequence[str], points: pd.DataFrame | None = None
    ) -> dict[str, ArrayLike]:
        """Values of the parameters that are not ``estimated``: their defaults, else their
        start values (a law with per-polymer constants gives one value per point)."""
        return {
            p.name: p.start if p.default is None else p.default
            for p in self.parameters
            if p.name not in estimated
        }

    def estimated(self, points: pd.DataFrame) -> tuple[str, ...]:
        """The parameters the points identify, in order."""
        return tuple(name for name, s in self.identifiability(points).items() if s == ESTIMATED)

    def covariate_differences(self, points: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
        """``u_i - u_j`` of each pair (:meth:`alpha_covariate`)."""
        u = self.alpha_covariate(points)
        return u[pairs["i"].to_numpy()] - u[pairs["j"].to_numpy()]

    def known_offset(self, points: pd.DataFrame) -> np.ndarray:
        """The part of ln D that the law knows at each point and no parameter changes."""
        return np.zeros(len(points))

    def informative_labels(self, points: pd.DataFrame) -> np.ndarray | None:
        """A label per point such that the pairs that carry information on the parameters are
        those of equal labels (None: every pair does, unless an unknown reference cancels only
        in some)."""
        return None

    def informative_pairs(self, points: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Which pairs (i, j) carry information on the parameters: those of equal
        :meth:`informative_labels`."""
        labels = self.informative_labels(points)
        if labels is None:
            return np.ones(len(i), dtype=bool)
        return labels[i] == labels[j]

    def shape_problem(self, points: pd.DataFrame) -> str | None:
        """Why the points do not have the shape the law is for (None where they do)."""
        return None

    def check_points(self, points: pd.DataFrame) -> pd.Series:
        """Per point, why the law is not valid there ("" where it is), from the known constants."""
        return pd.Series("", index=points.index)

    @abstractmethod
    def group_truth(
        self, values: Mapping[str, float | None], polymers: Sequence[Polymer]
    ) -> dict[str, float]:
        """The true parameters known for a fit group of ``polymers``, given a scenario's
        ``values`` (None where unknown, as for measured data)."""

    @abstractmethod
    def point_columns(self, points: pd.DataFrame, values: Values) -> dict[str, np.ndarray]:
        """The simulated columns of points (at least ``alpha`` and ``logD``), shape (n,) each."""

    @abstractmethod
    def alpha(self, points: pd.DataFrame, values: Values) -> np.ndarray:
        """The scaling exponent alpha at each point, shape (n,)."""

    @abstractmethod
    def log_diffusivity(self, points: pd.DataFrame, values: Values) -> np.ndarray:
        """ln D at each point (D in m^2/s), shape (n,)."""

    @abstractmethod
    def validity_problem(self, points: pd.DataFrame, values: Values) -> str | None:
        """Why the law is not valid at some of these points (its pole, ...), or None."""

    @abstractmethod
    def identifiability(self, points: pd.DataFrame) -> dict[str, str]:
        """Per parameter, ``estimated`` or ``not identifiable: <reason>``, for pairs of these
        points (one fit group)."""

    @abstractmethod
    def alpha_covariate(self, points: pd.DataFrame) -> np.ndarray:
        """``u`` at each point, where ln D = ... - alpha u: what multiplies alpha (ln M for the
        lecture, up to :meth:`covariate_reference`)."""

    @abstractmethod
    def start(
        self, points: pd.DataFrame, alpha: np.ndarray, estimated: Sequence[str]
    ) -> list[float]:
        """Starting values of the ``estimated`` parameters from alpha at the points."""

    @abstractmethod
    def alpha_model(
        self, points: pd.DataFrame, estimated: Sequence[str]
    ) -> Callable[..., np.ndarray]:
        """``f(x, *theta) -> alpha`` at the points, for :func:`scipy.optimize.curve_fit` (``x``
        is ignored), the others at :meth:`fixed_values`; finite everywhere."""

    @abstractmethod
    def point_model(self, points: pd.DataFrame, estimated: Sequence[str]) -> PointModel:
        """ln D at the points, up to a constant per pair block, as a function of the
        ``estimated`` parameters, with its Jacobian (the kernel fit's model)."""
