"""The bootstrap over points, shared by the fits that resample: a draw of each polymer's train
points with replacement (as many as it has), under which a pair weighs the product of its two
points' counts.  Pairs are not independent (each point sits in many), points are: resampling
points, not pairs, gives an honest spread."""

from __future__ import annotations

import numpy as np
import pandas as pd


def point_counts(points: pd.DataFrame, used: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """How often each point (row position) is drawn: the ``used`` points of each polymer, with
    replacement, as many as there are; shape (len(points),)."""
    counts = np.zeros(len(points))
    polymer = points["Polymer"].to_numpy()[used]
    for name in pd.unique(polymer):
        members = used[polymer == name]
        np.add.at(counts, rng.choice(members, len(members), replace=True), 1.0)
    return counts


def pair_weights(pairs: pd.DataFrame, counts: np.ndarray) -> np.ndarray:
    """The weight of each pair under a draw: the product of its points' counts."""
    return counts[pairs["i"].to_numpy()] * counts[pairs["j"].to_numpy()]


def resampled_counts(points: pd.DataFrame, used: np.ndarray, seed: int) -> np.ndarray:
    """The counts of a draw of the ``used`` points (sorted row positions), seeded by ``seed``."""
    return point_counts(points, used, np.random.default_rng([seed, 17]))
