"""Every pair of a set of points within blocks, in O(points) instead of O(pairs).

A model that predicts a pair as a difference of one point function, ``g_i - g_j`` (the twins,
the kernel fit), has pair residuals ``r_ij = e_i - e_j`` with ``e = g - ln D`` at the points.
Over all pairs ``i < j`` of a block of n points (pairs are formed within blocks: a polymer, or
all points),

    sum_{i<j} (e_i - e_j)^2 = n * sum_i (e_i - mean(e))^2,

and with pair weights ``c_i c_j`` (a bootstrap draw of the points, c its counts)

    sum_{i<j} c_i c_j (e_i - e_j)^2 = C sum_i c_i e_i^2 - (sum_i c_i e_i)^2,   C = sum_i c_i,

so all-pairs contrastive training is point regression with a free constant per block: 1e8 pairs
cost what 2e4 points cost.  The same sums give every statistic of the pair residuals (R2, RMSE,
mean, sd, min, max) over all pairs.  ``../shared/DESIGN.md`` section 9.

Pairs are ordered as :mod:`contrastive_gs.pairs` numbers them (``i < j`` by row of the points
table, inside a block), so signed statistics (the mean residual, min, max) agree with a
materialised pair table.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from contrastive_gs.pairs import POOLED, scope_strata, triu_from_linear

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class BlockPairs:
    """All pairs ``i < j`` within blocks of points: ``points`` (int64, (n,), row positions in the
    points table) grouped by block, ascending inside a block; block ``b`` is
    ``points[starts[b]:starts[b + 1]]``.  Blocks of one point (no pair) are left out."""

    points: np.ndarray
    starts: np.ndarray

    @classmethod
    def from_labels(cls, members: np.ndarray, labels: np.ndarray) -> BlockPairs:
        """The pairs within equal ``labels`` (shape (m,)) among ``members`` (row positions,
        shape (m,)), blocks in order of first appearance."""
        members = np.asarray(members, dtype=np.int64)
        codes = pd.factorize(pd.Series(labels), sort=False)[0]
        order = np.lexsort((members, codes))
        members, codes = members[order], codes[order]
        sizes = np.bincount(codes, minlength=codes.max() + 1 if len(codes) else 0)
        keep = np.repeat(sizes >= 2, sizes)
        sizes = sizes[sizes >= 2]
        return cls(members[keep], np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64))

    @property
    def sizes(self) -> np.ndarray:
        """Points per block, shape (B,)."""
        return np.diff(self.starts)

    @property
    def n_pairs(self) -> int:
        return int(np.sum(self.sizes * (self.sizes - 1) // 2))

    @property
    def block_index(self) -> np.ndarray:
        """The block of each of ``points``, shape (n,)."""
        return np.repeat(np.arange(len(self.sizes)), self.sizes)

    def refine(self, labels: np.ndarray) -> BlockPairs:
        """The pairs of these blocks whose points also share ``labels`` (one per row of the
        points table): e.g. the isotherms, where only they inform a law."""
        if not len(self.points):
            return self
        codes = pd.factorize(pd.Series(np.asarray(labels)[self.points]), sort=False)[0]
        return BlockPairs.from_labels(self.points, self.block_index * (codes.max() + 1) + codes)

    def pair_rows(self, numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows (i, j) of pairs ``numbers`` (0 .. n_pairs - 1, block by block, in
        ``itertools.combinations`` order inside a block)."""
        sizes = self.sizes
        offsets = np.concatenate([[0], np.cumsum(sizes * (sizes - 1) // 2)])
        block = np.searchsorted(offsets, numbers, side="right") - 1
        a, c = triu_from_linear(numbers - offsets[block], sizes[block])
        base = self.starts[block]
        return self.points[base + a], self.points[base + c]

    def batches(self, size: int, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Endless seeded mini-batches of ``size`` pairs drawn uniformly with replacement: the
        rows (i, j) of each, shape (size,) each; never more than one batch in memory."""
        rng = np.random.default_rng([seed, 29])
        while True:
            yield self.pair_rows(rng.integers(0, self.n_pairs, size))

    def sample(self, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """A seeded sample of at most ``size`` pairs without replacement, in pair order; every
        pair where there are no more."""
        if size >= self.n_pairs:
            numbers = np.arange(self.n_pairs, dtype=np.int64)
        else:
            rng = np.random.default_rng([seed, 23])
            numbers = np.sort(rng.choice(self.n_pairs, size, replace=False))
        return self.pair_rows(numbers)


def group_block_pairs(
    points: pd.DataFrame, sides: np.ndarray, scope: str, group: str
) -> dict[str, BlockPairs]:
    """Per side (``train``, ``test``) of a split of the points, the pairs of one fit group:
    every pair of the side's points within a pairing block (the scope) and the group (``pooled``
    or one polymer).  ``sides``: the side of every point, shape (len(points),)."""
    strata = scope_strata(points, scope)
    in_group = np.ones(len(points), dtype=bool)
    if group != POOLED:
        in_group = (points["Polymer"] == group).to_numpy()
    return {
        side: BlockPairs.from_labels(
            np.flatnonzero(in_group & (sides == side)), strata[in_group & (sides == side)]
        )
        for side in ("train", "test")
    }


# --- sums over all pairs, in O(points) -----------------------------------------------------------


def _block_means(
    values: np.ndarray, blocks: BlockPairs, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per block: the sum of the weights and the weighted mean of ``values``, shape (B,) each."""
    index, n_blocks = blocks.block_index, len(blocks.sizes)
    total = np.bincount(index, weights, n_blocks)
    mean = np.bincount(index, weights * values, n_blocks) / np.where(total > 0, total, 1.0)
    return total, mean


def pair_square_sum(
    values: np.ndarray, blocks: BlockPairs, weights: np.ndarray | None = None
) -> float:
    """``sum_{i<j} w_i w_j (v_i - v_j)^2`` over all pairs of ``blocks``, as
    ``sum_b C_b sum_i w_i (v_i - mean_w(v)_b)^2`` (centred: no cancellation); ``values`` and
    ``weights`` (default 1) are given at ``blocks.points``, shape (n,)."""
    w = np.ones(len(values)) if weights is None else weights
    total, mean = _block_means(values, blocks, w)
    index = blocks.block_index
    return float(np.sum(total[index] * w * (values - mean[index]) ** 2))


def pair_weight_sum(blocks: BlockPairs, weights: np.ndarray | None = None) -> float:
    """``sum_{i<j} w_i w_j``: the number of pairs with unit weights."""
    if weights is None:
        return float(blocks.n_pairs)
    index, n_blocks = blocks.block_index, len(blocks.sizes)
    total = np.bincount(index, weights, n_blocks)
    return float(np.sum(total**2 - np.bincount(index, weights**2, n_blocks)) / 2)


def pair_difference_sum(values: np.ndarray, blocks: BlockPairs) -> float:
    """``sum_{i<j} (v_i - v_j)`` over all pairs of ``blocks`` (``values`` at ``blocks.points``):
    within a block of n points, point k (0-based) is first in n - 1 - k pairs and second in k."""
    rank = np.arange(len(values)) - np.repeat(blocks.starts[:-1], blocks.sizes)
    n = np.repeat(blocks.sizes, blocks.sizes)
    return float(np.sum(values * (n - 1 - 2 * rank)))


def pair_moments(values: np.ndarray, blocks: BlockPairs) -> tuple[np.ndarray, np.ndarray]:
    """Mean and population standard deviation of ``v_i - v_j`` over all pairs ``i < j`` of
    ``blocks``, per column of ``values`` (given at ``blocks.points``, shape (n, k)): shapes (k,)
    each, in O(points)."""
    n = blocks.n_pairs
    columns = np.asarray(values, dtype=np.float64).T
    mean = np.array([pair_difference_sum(column, blocks) / n for column in columns])
    second = np.array([pair_square_sum(column, blocks) / n for column in columns])
    return mean, np.sqrt(np.maximum(second - mean**2, 0.0))


def pair_monomial_sums(
    values: np.ndarray, blocks: BlockPairs, exponents: np.ndarray, offset: np.ndarray
) -> np.ndarray:
    """``sum_{i<j} prod_k (v_ik - v_jk - c_k)^{e_k}`` over all pairs ``i < j`` of ``blocks``,
    for each row ``e`` of ``exponents`` (m, k), in O(points x terms): each power of a
    difference expands binomially into products ``u_i^b w_j^(e-b)`` (``u = v - c``, ``w = v``),
    summed over the second point j against the prefix sum of ``u_i^b`` over the earlier points
    of its block.  ``values``: at ``blocks.points``, shape (n, k); ``offset`` c, shape (k,).
    Values are centred per block first (differences do not change), against cancellation."""
    from math import comb

    values = np.asarray(values, dtype=np.float64)
    index = blocks.block_index
    centred = (
        values
        - np.stack(
            [_block_means(column, blocks, np.ones(len(column)))[1] for column in values.T], axis=1
        )[index]
    )
    u, w = centred - offset, centred

    @functools.cache
    def monomial(later: bool, power: tuple[int, ...]) -> np.ndarray:
        """``w^power`` at each point (the later point of a pair), else ``u^power``."""
        base = w if later else u
        return np.prod([base[:, k] ** e for k, e in enumerate(power)], axis=0)

    @functools.cache
    def earlier_sum(power: tuple[int, ...]) -> np.ndarray:
        """Per point, the sum of ``u^power`` over the earlier points of its block."""
        terms = monomial(False, power)
        prefix = np.empty(len(u))
        for start, stop in zip(blocks.starts[:-1], blocks.starts[1:], strict=True):
            prefix[start:stop] = np.cumsum(terms[start:stop]) - terms[start:stop]
        return prefix

    sums = np.zeros(len(exponents))
    for row, exponent in enumerate(np.asarray(exponents, dtype=np.int64)):
        for first in itertools.product(*(range(e + 1) for e in exponent)):
            second = tuple(int(e - b) for e, b in zip(exponent, first, strict=True))
            weight = np.prod([comb(int(e), b) for e, b in zip(exponent, first, strict=True)])
            sign = -1.0 if sum(second) % 2 else 1.0
            sums[row] += sign * weight * float(np.sum(monomial(True, second) * earlier_sum(first)))
    return sums


def pair_cross_sum(u: np.ndarray, v: np.ndarray, blocks: BlockPairs) -> float:
    """``sum_{i<j} (u_i - u_j)(v_i - v_j)``: n times the within-block covariance sum."""
    ones = np.ones(len(u))
    n, u_mean = _block_means(u, blocks, ones)
    _, v_mean = _block_means(v, blocks, ones)
    index = blocks.block_index
    return float(np.sum(n[index] * (u - u_mean[index]) * (v - v_mean[index])))


def pair_extremes(values: np.ndarray, blocks: BlockPairs) -> tuple[float, float]:
    """The smallest and largest ``v_i - v_j`` over all pairs ``i < j`` of ``blocks``: per second
    point j, the extreme earlier v_i of its block, then the extreme over j."""
    lowest, highest = np.inf, -np.inf
    for start, stop in zip(blocks.starts[:-1], blocks.starts[1:], strict=True):
        block = values[start:stop]
        earlier_max = np.maximum.accumulate(block)[:-1]
        earlier_min = np.minimum.accumulate(block)[:-1]
        highest = max(highest, float(np.max(earlier_max - block[1:])))
        lowest = min(lowest, float(np.min(earlier_min - block[1:])))
    return lowest, highest


def pair_residual_stats(
    predicted: np.ndarray, observed: np.ndarray, blocks: BlockPairs
) -> dict[str, float]:
    """:func:`contrastive_gs.diagnostics.residual_stats` of every pair of ``blocks``, exactly,
    in O(points): pair predictions ``predicted_i - predicted_j`` against ``observed_i -
    observed_j`` (both given at ``blocks.points``, in units of ln D)."""
    n = blocks.n_pairs
    error = predicted - observed
    squares = pair_square_sum(error, blocks)
    mean = pair_difference_sum(error, blocks) / n
    target_mean = pair_difference_sum(observed, blocks) / n
    target_spread = pair_square_sum(observed, blocks) - n * target_mean**2
    lowest, highest = pair_extremes(error, blocks)
    return {
        "n": n,
        "r2": float(1.0 - squares / target_spread) if target_spread > 0 else float("nan"),
        "rmse": float(np.sqrt(squares / n)),
        "mean": mean,
        "std": float(np.sqrt(max(squares / n - mean**2, 0.0))),
        "min": lowest,
        "max": highest,
    }


# --- the least-squares problem and the torch loss ------------------------------------------------


def centred_residuals(
    error: np.ndarray,
    jacobian: np.ndarray | None,
    blocks: BlockPairs,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """A residual vector of one entry per point whose sum of squares is the weighted pair sum
    ``sum_{i<j} w_i w_j (e_i - e_j)^2``: ``sqrt(C_b w_i) (e_i - mean_w(e)_b)``, and its
    Jacobian from the points' Jacobian (n, p) likewise.  ``error``, ``weights``: at
    ``blocks.points``."""
    w = np.ones(len(error)) if weights is None else weights
    total, mean = _block_means(error, blocks, w)
    index = blocks.block_index
    scale = np.sqrt(total[index] * w)
    residuals = scale * (error - mean[index])
    if jacobian is None:
        return residuals, None
    block_mean = np.stack([_block_means(column, blocks, w)[1] for column in jacobian.T], axis=1)
    return residuals, scale[:, None] * (jacobian - block_mean[index])


def torch_pair_square_sum(
    error: torch.Tensor, block_index: torch.Tensor, n_blocks: int, weights: torch.Tensor
) -> torch.Tensor:
    """``sum_{i<j} w_i w_j (e_i - e_j)^2`` of a torch vector ``error`` (n,) within blocks
    (``block_index`` (n,), long), differentiable, centred as :func:`pair_square_sum`."""
    import torch

    zeros = torch.zeros(n_blocks, dtype=error.dtype, device=error.device)
    total = zeros.index_add(0, block_index, weights)
    mean = zeros.index_add(0, block_index, weights * error) / total.clamp_min(1e-300)
    return torch.sum(total[block_index] * weights * (error - mean[block_index]) ** 2)
