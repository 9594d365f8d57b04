"""What every model family declares, and what a fitted model answers.

A family is like a scikit-learn estimator: its settings come from its config section (a frozen
dataclass, :func:`contrastive_gs.settings.compose`), ``fit(points, train_pairs, seeds)`` returns
one fitted model per seed, and a fitted model answers ``predict_pairs`` and ``alpha`` (or says
why it cannot, with :class:`NotIdentifiable`), and saves itself.  Nothing outside a family's
module knows its insides.
"""

from __future__ import annotations

import pickle
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from contrastive_gs.laws import Law
from contrastive_gs.settings import compose


@dataclass(frozen=True)
class NotIdentifiable:
    """Why a model cannot tell a quantity (alpha, a parameter of the law)."""

    reason: str

    def __str__(self) -> str:
        return f"not identifiable: {self.reason}"


class FittedModel(ABC):
    """A model fitted to the train pairs of one group."""

    @abstractmethod
    def predict_pairs(self, points: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
        """Predicted ``logD_ratio`` of ``pairs`` (their ``i, j`` index rows of ``points``),
        shape (n_pairs,)."""

    @abstractmethod
    def alpha(self, points: pd.DataFrame) -> np.ndarray | NotIdentifiable:
        """The scaling exponent alpha the model implies at each point (shape (n,)), or why it
        cannot tell."""

    def save(self, path: str | Path) -> None:
        """Write the model to ``path`` atomically (pickle)."""
        from contrastive_gs.io import atomic_path

        with atomic_path(path) as tmp:
            tmp.write_bytes(pickle.dumps(self))

    @staticmethod
    def load(path: str | Path) -> FittedModel:
        """A model written by :meth:`save`."""
        return pickle.loads(Path(path).read_bytes())


class Family(ABC):
    """A model family with its settings and the law of the data."""

    name: ClassVar[str]
    label: ClassVar[str]  # how tables, figures and the report name it
    description: ClassVar[str]
    settings_type: ClassVar[type]
    hyper_keys: ClassVar[tuple[str, ...]]  # settings a sweep may vary, in path order
    uses_torch: ClassVar[bool] = False  # trained with torch: the job sets its threads

    def __init__(self, settings: Any, law: Law):
        self.settings = settings
        self.law = law

    @classmethod
    def from_config(cls, section: Mapping[str, Any], law: Law) -> Family:
        """The family with its settings from its config section (validated by the schema)."""
        return cls(compose(cls.settings_type, section), law)

    def cost(self) -> float:
        """Relative cost of one fit (for job priority): 0 for the cheap ones."""
        return 0.0

    @classmethod
    def describe(cls, hyper: Mapping[str, Any]) -> str:
        """The family's label with its hyper-parameters, e.g. ``poly degree 2``."""
        return " ".join([cls.label, *(f"{key} {value}" for key, value in hyper.items())])

    @abstractmethod
    def fit(
        self, points: pd.DataFrame, train_pairs: pd.DataFrame, seeds: list[int], label: str
    ) -> list[FittedModel]:
        """One fitted model per seed (deterministic families: the same model for every seed),
        from ``train_pairs`` (columns of :data:`contrastive_gs.pairs.PAIR_COLUMNS`; ``i, j``
        index rows of ``points``, which hold every point of the scenario)."""
