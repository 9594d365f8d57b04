"""Extrapolation in temperature: points above a temperature are test points, the others train."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from contrastive_gs.splits._base import Fold, Split


@dataclass(frozen=True)
class TemperatureSplit(Split):
    """Train below ``test_above_T_C``, test above it."""

    test_above_T_C: float | None  # degC

    name: ClassVar[str] = "temperature"
    unit: ClassVar[str] = "points"
    description: ClassVar[str] = "points above test_above_T_C (degC) in test: extrapolation in T"

    def problems(self) -> list[tuple[str, str]]:
        if self.test_above_T_C is None:
            return [("test_above_T_C", "expected a temperature (degC) with split 'temperature'")]
        return []

    def split(self, samples: pd.DataFrame, strata: np.ndarray) -> Iterator[Fold]:
        is_test = samples["T_C"].to_numpy() > self.test_above_T_C
        yield np.flatnonzero(~is_test), np.flatnonzero(is_test)
