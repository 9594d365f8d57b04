"""Split the points first, then pair within each side: no point is in train and test pairs.

Stratified by pairing block (each polymer for pairs ``within`` polymers): ``ceil(test_size n)``
points of each block go to test, drawn by one seeded generator, block after block.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from contrastive_gs.splits._base import Fold, Split, ceil_share


@dataclass(frozen=True)
class PointSplit(Split):
    """A random share of the points of each block to test."""

    test_size: float  # fraction of the points of each block in test
    split_seed: int

    name: ClassVar[str] = "points"
    unit: ClassVar[str] = "points"
    description: ClassVar[str] = "points split first, pairs formed within each side"

    def split(self, samples: pd.DataFrame, strata: np.ndarray) -> Iterator[Fold]:
        rng = np.random.RandomState(self.split_seed)
        is_test = np.zeros(len(samples), dtype=bool)
        for stratum in pd.unique(strata):  # blocks in order of first appearance
            members = np.flatnonzero(strata == stratum)
            drawn = rng.permutation(len(members))[: ceil_share(self.test_size, len(members))]
            is_test[members[drawn]] = True
        yield np.flatnonzero(~is_test), np.flatnonzero(is_test)
