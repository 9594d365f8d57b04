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

from contrastive_gs.laws import ESTIMATED, Law, not_identifiable
from contrastive_gs.settings import compose


@dataclass(frozen=True)
class NotIdentifiable:
    """Why a model cannot tell a quantity (alpha, a parameter of the law)."""

    reason: str

    def __str__(self) -> str:
        return not_identifiable(self.reason)


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

    def log_diffusivity(self, points: pd.DataFrame) -> np.ndarray | None:
        """For a model that predicts a pair as a difference of one point function g (the
        twins, the kernel): g at each point, ln D up to a constant per block, shape (n,); None
        for a model of pair features."""
        return None

    def log_diffusivity_draws(self, points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
        """ln D (up to a constant per block) at each point under each bootstrap draw of the
        fit, shape (draws, n), with each draw's counts of the points the fit was given (its
        anchors' weights); None for a model without draws."""
        return None

    anchor_counts: np.ndarray | None = None  # a bagged fit's draw of the points (its weights)

    def closed_form(self) -> dict[str, Any] | None:
        """The model as one expression, where it is one (symbolic regression): ``expression``
        (text), ``latex`` and ``complexity`` (its length); None for other models."""
        return None

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
    # Predicts a pair as a difference of one point function (log_diffusivity), so that it
    # trains on every pair within blocks of points in O(points): ``fit`` then also takes a
    # :class:`contrastive_gs.allpairs.BlockPairs` for ``train_pairs``.
    trains_on_all_pairs: ClassVar[bool] = False
    # A model of pair features that trains on every train pair of a split of the points,
    # built from the points as it needs them, where the fold's pair table holds only a sample
    # of them (it is measured on the sample): ``fit`` then takes a BlockPairs likewise.
    builds_pairs_from_points: ClassVar[bool] = False
    has_closed_form: ClassVar[bool] = False  # its fitted models are expressions (closed_form)

    def __init__(self, settings: Any, law: Law):
        self.settings = settings
        self.law = law

    @classmethod
    def from_config(cls, section: Mapping[str, Any], law: Law) -> Family:
        """The family with its settings from its config section (validated by the schema)."""
        return cls(compose(cls.settings_type, section), law)

    @property
    def resamples(self) -> bool:
        """Whether the fits of the seeds are bootstrap draws of the data (their spread is then
        the uncertainty of a prediction of the true D)."""
        return False

    def min_train_pairs(self) -> int:
        """Train pairs a fit needs at least."""
        return 1

    def cost(self) -> float:
        """Relative cost of one fit (for job priority): 0 for the cheap ones."""
        return 0.0

    @classmethod
    def describe(cls, hyper: Mapping[str, Any]) -> str:
        """The family's label with its hyper-parameters, e.g. ``poly degree 2``."""
        return " ".join([cls.label, *(f"{key} {value}" for key, value in hyper.items())])

    def identifiability(self, points: pd.DataFrame) -> dict[str, str]:
        """For the points of one fit group: ``alpha`` and each parameter of the law,
        ``estimated`` or ``not identifiable: <reason>``.  By default the law's statuses; alpha
        is estimated where Ka is (up to a constant per polymer where pairs do not fix its
        level)."""
        statuses = self.law.identifiability(points)
        return {"alpha": self._alpha_status(statuses), **statuses}

    def _alpha_status(self, statuses: Mapping[str, str]) -> str:
        if statuses["Ka"] != ESTIMATED:
            return statuses["Ka"]
        if not self.law.alpha_level_from_pairs:
            return f"{ESTIMATED} up to a constant per polymer (pairs see only its changes with T)"
        return ESTIMATED

    @abstractmethod
    def fit(
        self, points: pd.DataFrame, train_pairs: pd.DataFrame, seeds: list[int], label: str
    ) -> list[FittedModel]:
        """One fitted model per seed (deterministic families: the same model for every seed),
        from ``train_pairs`` (columns of :data:`contrastive_gs.pairs.PAIR_COLUMNS`; ``i, j``
        index rows of ``points``, which hold every point of the scenario)."""
