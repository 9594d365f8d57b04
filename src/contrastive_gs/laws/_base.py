"""What every scaling law declares: its parameters (units, bounds, start values), the data keys
it reads, and the functions that simulation, fitting and recovery call.

A law is a frozen dataclass of its *known constants* (for the lecture: M0 and D0, read from the
``data`` section of the config); the values of its parameters travel separately, as a mapping
``{name: value}`` (a scenario's truth, a fit's estimate).  Temperatures in K, M in g/mol, D in
m^2/s, logarithms natural.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from contrastive_gs.polymers import Polymer

Values = Mapping[str, ArrayLike]  # parameter name -> value (a number, or one per point)
# A model of ln D - ln D0 at fixed points: theta (the fitted parameters, in order) -> (values of
# shape (n,), Jacobian of shape (n, len(theta))).
PointModel = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclasses.dataclass(frozen=True)
class Parameter:
    """A parameter of a law: what a fit may estimate."""

    name: str
    unit: str  # "K", "-" (dimensionless), ...
    lower: float  # bounds of the estimate
    upper: float
    start: float  # where a search starts when the data suggest nothing better
    description: str
    default: float | None = None  # value when it is not estimated (None: always estimated)


class Law(ABC):
    """A scaling law of diffusivity; subclasses are frozen dataclasses of the known constants."""

    name: ClassVar[str]
    parameters: ClassVar[tuple[Parameter, ...]]
    scenario_keys: ClassVar[tuple[str, ...]]  # parameters a scenario sets (data keys, swept)
    description: ClassVar[str]

    @classmethod
    def from_config(cls, data: Mapping[str, Any]) -> Law:
        """The law with its constants from the ``data`` section of the config."""
        return cls(**{f.name: float(data[f.name]) for f in dataclasses.fields(cls)})

    @classmethod
    def constant_keys(cls) -> tuple[str, ...]:
        """Keys of the ``data`` section that hold the law's known constants."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def parameter(cls, name: str) -> Parameter:
        return next(p for p in cls.parameters if p.name == name)

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        return tuple(p.name for p in cls.parameters)

    def known_reference_mass(self) -> float | None:
        """The reference molar mass M0 (g/mol) the law knows, if it has one."""
        return None

    def fixed_values(self, estimated: tuple[str, ...]) -> dict[str, float]:
        """Values of the parameters that are not ``estimated``: their defaults."""
        return {p.name: p.default for p in self.parameters if p.name not in estimated}

    @abstractmethod
    def group_truth(
        self, values: Mapping[str, float | None], polymers: Sequence[Polymer]
    ) -> dict[str, float]:
        """The true parameters known for a fit group of ``polymers``, given a scenario's
        ``values`` (None where unknown, as for measured data)."""

    @abstractmethod
    def point_columns(self, M, T, Tg, values: Values) -> dict[str, np.ndarray]:
        """The simulated columns of points (at least ``alpha`` and ``logD``), shape (n,) each."""

    @abstractmethod
    def alpha(self, T, Tg, values: Values) -> np.ndarray:
        """The scaling exponent alpha at (T, Tg), shape of the broadcast inputs."""

    @abstractmethod
    def log_diffusivity(self, M, T, Tg, values: Values) -> np.ndarray:
        """ln D at (M, T, Tg), D in m^2/s."""

    @abstractmethod
    def validity_problem(self, T, Tg, values: Values) -> str | None:
        """Why the law is not valid at some of these points (its pole, ...), or None."""

    @abstractmethod
    def estimable(self, T: np.ndarray, Tg: np.ndarray) -> tuple[str, ...]:
        """Parameters that alpha at these points (or pairs of them) can identify, in order."""

    @abstractmethod
    def start(self, dT: np.ndarray, alpha: np.ndarray, estimated: tuple[str, ...]) -> list[float]:
        """Starting values of the ``estimated`` parameters from alpha at ``dT = T - Tg`` (K)."""

    @abstractmethod
    def alpha_model(
        self, T: np.ndarray, Tg: np.ndarray, estimated: tuple[str, ...]
    ) -> Callable[..., np.ndarray]:
        """``f(x, *theta) -> alpha`` at the points (T, Tg) for :func:`scipy.optimize.curve_fit`
        (``x`` is ignored), the others at :meth:`fixed_values`; finite everywhere."""

    @abstractmethod
    def point_model(
        self, M: np.ndarray, T: np.ndarray, Tg: np.ndarray, estimated: tuple[str, ...]
    ) -> PointModel:
        """ln D - ln D0 at the points as a function of the ``estimated`` parameters, with its
        Jacobian: what pairs of the points determine (ln D0 cancels in every pair)."""
