"""The lecture's split: pairs drawn at random into test, exactly as
``sklearn.model_selection.train_test_split(range(n_pairs), test_size, random_state)`` does.

Every point then sits in train and test pairs alike: test R2 measures interpolation between
known points, not prediction at new ones (the ``points`` split does that).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from contrastive_gs.splits._base import Fold, Split, ceil_share


def lecture_test_indices(n: int, test_size: float, seed: int) -> np.ndarray:
    """Indices that ``train_test_split(range(n), test_size=test_size, random_state=seed)`` puts in
    test (the lecture's split), without importing scikit-learn."""
    return np.random.RandomState(seed).permutation(n)[: ceil_share(test_size, n)]


@dataclass(frozen=True)
class PairSplit(Split):
    """Random pairs to test (the lecture's; leaks points between train and test)."""

    test_size: float  # fraction of the pairs in test
    split_seed: int  # the lecture's random_state

    name: ClassVar[str] = "pairs"
    unit: ClassVar[str] = "pairs"
    description: ClassVar[str] = "random pairs to test, as the lecture (every point on both sides)"

    def test_share(self, n_pairs: int) -> float:
        """Share of ``n_pairs`` pairs that the split puts in test."""
        return ceil_share(self.test_size, n_pairs) / n_pairs if n_pairs else 0.0

    def split(self, samples: np.ndarray, strata: np.ndarray) -> Iterator[Fold]:
        n = len(samples)
        is_test = np.zeros(n, dtype=bool)
        is_test[lecture_test_indices(n, self.test_size, self.split_seed)] = True
        yield np.flatnonzero(~is_test), np.flatnonzero(is_test)
