"""Leave one group out: each fold holds out every point of one polymer (transfer to an unseen
Tg) or of one temperature (extrapolation to an unmeasured T), as scikit-learn's
``LeaveOneGroupOut``; the folds follow the order of first appearance of the groups.

Held-out polymers: pairs within the held-out polymer are the test pairs, so only the ``pooled``
fit group can learn (a polymer's own group has no train pairs in its fold)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from contrastive_gs.splits._base import Fold, Split

LEAVE_OUT_COLUMNS = {"polymer": "Polymer", "temperature": "T"}


@dataclass(frozen=True)
class LeaveOneGroupOutSplit(Split):
    """One fold per polymer (or temperature), all of whose points are test points."""

    leave_out: Literal["polymer", "temperature"] | None

    name: ClassVar[str] = "leave_one_group_out"
    unit: ClassVar[str] = "points"
    description: ClassVar[str] = "each polymer (or temperature) held out in turn"

    def get_n_splits(self, points: pd.DataFrame | None = None) -> int:
        """One fold per group of the points (0 without points)."""
        return 0 if points is None else len(pd.unique(self.groups(points)))

    def problems(self) -> list[tuple[str, str]]:
        if self.leave_out not in LEAVE_OUT_COLUMNS:
            return [("leave_out", f"expected one of {sorted(LEAVE_OUT_COLUMNS)}")]
        return []

    def groups(self, points: pd.DataFrame) -> np.ndarray:
        """The held-out group of each point, shape (n,)."""
        return points[LEAVE_OUT_COLUMNS[self.leave_out]].to_numpy()

    def split(self, samples: pd.DataFrame, strata: np.ndarray) -> Iterator[Fold]:
        groups = self.groups(samples)
        for group in pd.unique(groups):
            test = groups == group
            yield np.flatnonzero(~test), np.flatnonzero(test)
