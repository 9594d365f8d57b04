"""k-fold cross-validation by points, stratified per pairing block (each polymer for pairs
``within`` polymers): every point is a test point in exactly one of ``k`` folds, and each fold
holds about ``1/k`` of every polymer's points (scikit-learn's ``StratifiedKFold``, shuffled with
``split_seed``).  A polymer with fewer than ``k`` points is in test in fewer folds than ``k``."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from contrastive_gs.splits._base import Fold, Split


@dataclass(frozen=True)
class KFoldSplit(Split):
    """``k`` folds of the points, stratified per block."""

    k: int  # folds
    split_seed: int

    name: ClassVar[str] = "k_fold"
    unit: ClassVar[str] = "points"
    description: ClassVar[str] = "k folds of the points, stratified per polymer (block)"

    def get_n_splits(self, points: pd.DataFrame | None = None) -> int:
        return self.k

    def problems(self) -> list[tuple[str, str]]:
        return [] if self.k >= 2 else [("k", "expected at least 2 folds")]

    def split(self, samples: pd.DataFrame, strata: np.ndarray) -> Iterator[Fold]:
        from sklearn.model_selection import StratifiedKFold

        _, labels = np.unique(np.asarray(strata).astype(str), return_inverse=True)
        if len(samples) < self.k:
            raise ValueError(f"{len(samples)} points cannot make {self.k} folds")
        folds = StratifiedKFold(self.k, shuffle=True, random_state=self.split_seed)
        with warnings.catch_warnings():  # a block smaller than k: fine, it is in fewer folds
            warnings.filterwarnings("ignore", "The least populated class", UserWarning)
            for train, test in folds.split(np.zeros((len(samples), 1)), labels):
                yield train.astype(np.int64), test.astype(np.int64)
