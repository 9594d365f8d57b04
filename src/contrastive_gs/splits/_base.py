"""What every train/test split declares.  A split is like a scikit-learn splitter
(``sklearn.model_selection.GroupKFold``): ``split(samples, strata)`` yields ``(train, test)``
index arrays, one tuple per fold, and ``get_n_splits()`` says how many folds there are.

Most splits cut the *points* (the pairs of each side are then formed within it, so that no
point is on both sides); the lecture's split cuts the *pairs* (``unit = "pairs"``).  A split's
settings are the keys of the ``pairs`` config section named by its dataclass fields.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

Fold = tuple[np.ndarray, np.ndarray]  # (train, test) indices, int64


class Split(ABC):
    """A train/test split; subclasses are frozen dataclasses of their settings."""

    name: ClassVar[str]
    unit: ClassVar[Literal["points", "pairs"]]
    description: ClassVar[str]

    @classmethod
    def config_keys(cls) -> tuple[str, ...]:
        """Keys of the ``pairs`` config section that this split reads."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> Split:
        """The split with its settings from the ``pairs`` section of the config."""
        return cls(**{key: section[key] for key in cls.config_keys()})

    def get_n_splits(self, points: pd.DataFrame | None = None) -> int:
        """Number of folds (of these points, for a split whose folds the data decide)."""
        return 1

    def problems(self) -> list[tuple[str, str]]:
        """``(key, what is wrong)`` for each setting this split cannot work with."""
        return []

    @abstractmethod
    def split(self, samples: pd.DataFrame | np.ndarray, strata: np.ndarray) -> Iterator[Fold]:
        """Yield ``(train, test)`` indices of ``samples``, one tuple per fold.

        ``samples``: the points (a DataFrame, ``unit = "points"``) or the numbers of the pairs
        (``unit = "pairs"``); ``strata``: one label per sample (the pairing block of a point:
        its polymer, or one block for all), for splits that stratify.
        """


def ceil_share(share: float, n: int) -> int:
    """How many of ``n`` items a share puts in test: ``ceil(share * n)``, as scikit-learn."""
    return int(np.ceil(share * n))
