"""Contrastive pairs: every (i, j), i < j, of points paired together, vectorised and streamed.

A pair's features are the lecture's ``logM_ratio = ln(M_i/M_j)``, ``invT_diff = 1/T_i - 1/T_j``
(1/K) and ``Tg_diff = Tg_i - Tg_j`` (K); its target is ``logD_ratio = ln D_i - ln D_j``.

Points are paired inside *blocks*: one block per polymer (scope ``within``, the lecture) or one
block of all points (scope ``all``).  A split of the points (:mod:`contrastive_gs.splits`) first
cuts each block into a train block and a test block, so no point is on both sides; the lecture's
split of the pairs instead labels pairs test at random.  There is one pair table per fold.

Pairs are numbered ``0 .. n_pairs - 1`` block by block, in ``itertools.combinations`` order inside
a block; a pair's number maps to its points in closed form, so any subset of pairs (a ``max_pairs``
subsample, a chunk of rows) is built without enumerating the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from contrastive_gs.splits import Split

log = logging.getLogger(__name__)
FEATURES = ["logM_ratio", "invT_diff", "Tg_diff"]
TARGET = "logD_ratio"
PAIR_COLUMNS = ["i", "j", "Polymer_i", "Polymer_j", *FEATURES, TARGET, "split"]
COORDINATE_COLUMNS = ("M", "T", "Tg", "logD")  # what pair features and targets are made of
SIDES = ("train", "test")
POOLED = "pooled"  # the fit group of all pairs together


@dataclass(frozen=True)
class PairSettings:
    """How points are paired (keys of the ``pairs`` config section; the split has its own)."""

    scope: Literal["within", "all"]
    max_pairs: int | None  # seeded subsample of at most this many pairs; None keeps all
    split_seed: int  # seed of the subsample
    sample: int = 10_000  # pairs written per fold where the fits see all pairs (see below)


def all_pairs_split(settings: PairSettings, split: Split) -> bool:
    """Whether the train and test pairs of every fold are all the pairs of a side's points
    within blocks (a split of the points, no ``max_pairs``): the models of one point function
    then train and are measured on all of them in O(points) (:mod:`contrastive_gs.allpairs`),
    and the pair table of a fold is a seeded sample of at most ``settings.sample`` pairs."""
    return split.unit == "points" and settings.max_pairs is None


@dataclass(frozen=True)
class _Block:
    points: np.ndarray  # indices of the points paired together, int64, shape (n,)
    label: str | None  # "train"/"test" for a split of the points, None for a split of pairs

    @property
    def n_pairs(self) -> int:
        n = len(self.points)
        return n * (n - 1) // 2


def scope_strata(points: pd.DataFrame, scope: str) -> np.ndarray:
    """Pairing block of each point, shape (n,): its polymer (``within``) or one for all."""
    if scope == "within":
        return points["Polymer"].to_numpy()
    return np.zeros(len(points), dtype=np.int64)


def _scope_blocks(strata: np.ndarray) -> list[np.ndarray]:
    return [np.flatnonzero(strata == stratum) for stratum in pd.unique(strata)]


def triu_from_linear(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column (a < c) of pair number ``k`` among ``combinations(range(n), 2)``."""
    k = np.asarray(k, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)

    def row_start(a):
        return a * (2 * n - a - 1) // 2

    a = np.floor(((2 * n - 1) - np.sqrt((2.0 * n - 1) ** 2 - 8.0 * k)) / 2).astype(np.int64)
    a = np.clip(a, 0, np.maximum(n - 2, 0))
    a = np.where(row_start(a) > k, a - 1, a)  # float rounding can miss by one either way
    a = np.where(row_start(a + 1) <= k, a + 1, a)
    return a, k - row_start(a) + a + 1


class PairPlan:
    """Which pairs of one fold to build, in which order, and which are test: computed once, built
    in chunks."""

    def __init__(
        self,
        points: pd.DataFrame,
        blocks: Sequence[_Block],
        settings: PairSettings,
        test_rows: np.ndarray | None = None,
    ):
        self.points = points
        self.settings = settings
        self.polymers = list(pd.unique(points["Polymer"]))
        blocks = [b for b in blocks if b.n_pairs > 0]
        self.blocks = blocks
        self._block_sizes = np.array([len(b.points) for b in blocks], dtype=np.int64)
        self._block_offsets = np.concatenate([[0], np.cumsum([b.n_pairs for b in blocks])])
        self._point_offsets = np.concatenate([[0], np.cumsum(self._block_sizes)])
        self._block_points = np.concatenate([b.points for b in blocks] or [np.array([], np.int64)])
        self._block_is_test = np.array([b.label == "test" for b in blocks])
        self.n_available = int(self._block_offsets[-1])
        self._selected = self._subsample(settings)
        self.n_pairs = self.n_available if self._selected is None else len(self._selected)
        self._test_mask = None
        if test_rows is not None:
            self._test_mask = np.zeros(self.n_pairs, dtype=bool)
            self._test_mask[test_rows] = True

    def _subsample(self, settings: PairSettings) -> np.ndarray | None:
        if settings.max_pairs is None or settings.max_pairs >= self.n_available:
            return None
        rng = np.random.default_rng([settings.split_seed, 1])
        return np.sort(rng.choice(self.n_available, settings.max_pairs, replace=False))

    def with_test_rows(self, test_rows: np.ndarray) -> PairPlan:
        """This plan with rows ``test_rows`` of the table labelled test (a split of pairs)."""
        plan = PairPlan.__new__(PairPlan)
        plan.__dict__.update(self.__dict__)
        plan._test_mask = np.zeros(self.n_pairs, dtype=bool)
        plan._test_mask[test_rows] = True
        return plan

    def pair_numbers(self, start: int, stop: int) -> np.ndarray:
        """Numbers (among all available pairs) of rows ``start .. stop - 1`` of the table."""
        if self._selected is None:
            return np.arange(start, stop, dtype=np.int64)
        return self._selected[start:stop]

    def _whole_block_rows(self, block: np.ndarray, k: np.ndarray):
        """(a, c) of pairs ``k`` when they are whole blocks: ``numpy.triu_indices``, ~7x faster
        than the closed form; None otherwise."""
        if len(k) == 0 or self._selected is not None:
            return None
        first, last = block[0], block[-1]
        if k[0] != self._block_offsets[first] or k[-1] != self._block_offsets[last + 1] - 1:
            return None
        rows = [np.triu_indices(n, 1) for n in self._block_sizes[first : last + 1]]
        return np.concatenate([r[0] for r in rows]), np.concatenate([r[1] for r in rows])

    def build(self, start: int, stop: int) -> pd.DataFrame:
        """Rows ``start .. stop - 1`` of the pair table, columns ``PAIR_COLUMNS``."""
        k = self.pair_numbers(start, stop)
        block = np.searchsorted(self._block_offsets, k, side="right") - 1
        rows = self._whole_block_rows(block, k)
        if rows is None:
            rows = triu_from_linear(k - self._block_offsets[block], self._block_sizes[block])
        base = self._point_offsets[block]
        i, j = self._block_points[base + rows[0]], self._block_points[base + rows[1]]
        if self._test_mask is None:
            is_test = self._block_is_test[block]
        else:
            is_test = self._test_mask[start:stop]
        return pair_table(self.points, i, j, is_test, self.polymers)

    def chunks(self, rows: int) -> Iterator[pd.DataFrame]:
        """The pair table in consecutive chunks of at most ``rows`` rows."""
        for start in range(0, self.n_pairs, rows):
            yield self.build(start, min(start + rows, self.n_pairs))

    def expected_sides(
        self, polymers: Sequence[str] | None = None, test_share: float | None = None
    ) -> dict[str, float]:
        """Expected train and test pairs among the pairs whose points are both of ``polymers``
        (None: all), without building them: exact for a split of points without ``max_pairs``,
        otherwise scaled by the share of pairs kept (and labelled test: ``test_share`` for a
        plan whose pairs are not labelled yet)."""
        counts = dict.fromkeys(SIDES, 0.0)
        of_group = (
            np.ones(len(self.points), dtype=bool)
            if polymers is None
            else self.points["Polymer"].isin(list(polymers)).to_numpy()
        )
        kept = self.n_pairs / self.n_available if self.n_available else 0.0
        if self._test_mask is not None:
            test_share = self._test_mask.mean()
        for block in self.blocks:
            n = int(of_group[block.points].sum())
            pairs = kept * n * (n - 1) / 2
            if test_share is None:
                counts[block.label] += pairs
            else:
                counts["train"] += (1.0 - test_share) * pairs
                counts["test"] += test_share * pairs
        return {side: round(n, 6) for side, n in counts.items()}  # 2 pairs, not 1.9999999


def fold_plans(points: pd.DataFrame, settings: PairSettings, split: Split) -> list[PairPlan]:
    """One :class:`PairPlan` per fold of ``split``, pairing within the blocks of the scope."""
    strata = scope_strata(points, settings.scope)
    blocks = _scope_blocks(strata)
    if split.unit == "pairs":
        plan = PairPlan(points, [_Block(block, None) for block in blocks], settings)
        return [
            plan.with_test_rows(test)
            for _, test in split.split(np.arange(plan.n_pairs, dtype=np.int64), strata)
        ]
    plans = []
    for train, test in split.split(points, strata):
        sides = {}
        for label, members in (("train", train), ("test", test)):
            chosen = np.zeros(len(points), dtype=bool)
            chosen[members] = True
            sides[label] = [_Block(block[chosen[block]], label) for block in blocks]
        plans.append(PairPlan(points, sides["train"] + sides["test"], settings))
    return plans


def fold_sides(points: pd.DataFrame, scope: str, split: Split) -> list[np.ndarray]:
    """Per fold, the side of each point: ``train`` or ``test`` (``unused`` where a split leaves a
    point out); every point is ``train`` for a split of pairs (it has no held-out point)."""
    if split.unit == "pairs":
        return [np.full(len(points), "train", dtype=object)]
    sides = []
    for train, test in split.split(points, scope_strata(points, scope)):
        side = np.full(len(points), "unused", dtype=object)
        side[train], side[test] = "train", "test"
        sides.append(side)
    return sides


def expected_pair_counts(
    points: pd.DataFrame, settings: PairSettings, split: Split, groups: Sequence[str]
) -> list[dict[str, dict[str, float]]]:
    """Per fold, per group (``pooled`` or a polymer): the expected train and test pairs
    (:meth:`PairPlan.expected_sides`), without building any pair; only the points' polymers
    (and what the split reads, e.g. T_C) matter."""

    def of_group(plan: PairPlan, group: str, test_share: float | None = None):
        polymers = None if group == POOLED else [group]
        return plan.expected_sides(polymers, test_share)

    if split.unit == "pairs":  # labelling 1e8 pairs just to count them would cost seconds
        strata = scope_strata(points, settings.scope)
        plan = PairPlan(points, [_Block(b, None) for b in _scope_blocks(strata)], settings)
        share = split.test_share(plan.n_pairs)
        return [{group: of_group(plan, group, share) for group in groups}]
    return [
        {group: of_group(plan, group) for group in groups}
        for plan in fold_plans(points, settings, split)
    ]


def pair_table(
    points: pd.DataFrame,
    i: np.ndarray,
    j: np.ndarray,
    is_test: np.ndarray,
    polymers: Sequence[str],
) -> pd.DataFrame:
    """Features and target of pairs (i, j) of ``points``, with the lecture's formulas."""
    M, T, Tg, logD = (points[c].to_numpy(np.float64) for c in COORDINATE_COLUMNS)
    polymer = pd.Categorical(points["Polymer"], categories=polymers)
    return pd.DataFrame(
        {
            "i": i.astype(np.int32),
            "j": j.astype(np.int32),
            "Polymer_i": polymer[i],
            "Polymer_j": polymer[j],
            "logM_ratio": np.log(M[i] / M[j]),
            "invT_diff": 1.0 / T[i] - 1.0 / T[j],
            "Tg_diff": Tg[i] - Tg[j],
            "logD_ratio": logD[i] - logD[j],
            "split": pd.Categorical.from_codes(is_test.astype(np.int8), categories=SIDES),
        },
        copy=False,  # the columns are fresh arrays: consolidating them would copy every one
    )


def point_coordinates(points: pd.DataFrame) -> np.ndarray:
    """Per point, the values whose differences between two points are a pair's features and
    target (``FEATURES``, ``TARGET``): ln M, 1/T (1/K), Tg (K) and ln D; shape (n, 4)."""
    M, T, Tg, logD = (points[c].to_numpy(np.float64) for c in COORDINATE_COLUMNS)
    return np.stack([np.log(M), 1.0 / T, Tg, logD], axis=1)


def make_pairs(
    points: pd.DataFrame, settings: PairSettings, split: Split, fold: int = 0
) -> pd.DataFrame:
    """The whole pair table of one fold in memory (small grids); see :func:`write_pairs`."""
    plan = fold_plans(points, settings, split)[fold]
    return plan.build(0, plan.n_pairs)


def select_group(pairs: pd.DataFrame, group: str) -> pd.DataFrame:
    """Pairs of one fit group: ``pooled`` (all) or one polymer (both points of that polymer)."""
    if group == POOLED:
        return pairs
    mask = (pairs["Polymer_i"] == group) & (pairs["Polymer_j"] == group)
    return pairs[mask.to_numpy()]


def select_points(points: pd.DataFrame, group: str) -> pd.DataFrame:
    """Points of one fit group: all of them (``pooled``) or those of one polymer."""
    if group == POOLED:
        return points
    return points[(points["Polymer"] == group).to_numpy()]


def write_plan(plan: PairPlan, path, chunk_rows: int = 2_000_000) -> dict[str, int]:
    """Stream the pair table of ``plan`` to Parquet, one row group per chunk; return pair counts
    per side.  Peak memory is the plan and one chunk, whatever the number of pairs."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from contrastive_gs.io import atomic_path

    counts = dict.fromkeys(SIDES, 0)
    with atomic_path(path) as tmp:
        writer = None
        for chunk in plan.chunks(chunk_rows) if plan.n_pairs else [plan.build(0, 0)]:
            table = pa.Table.from_pandas(chunk, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table, row_group_size=chunk_rows)
            for side, n in chunk["split"].value_counts().items():
                counts[side] += int(n)
        writer.close()
    log.info("wrote %d pairs (%s) to %s", plan.n_pairs, counts, path)
    return {"n_pairs": plan.n_pairs, "n_available": plan.n_available, **counts}


def write_pairs(
    points: pd.DataFrame,
    settings: PairSettings,
    split: Split,
    paths: Sequence,
    chunk_rows: int = 2_000_000,
) -> list[dict[str, int]]:
    """Stream the pair table of each fold to its path (one per fold, in fold order): every pair,
    or a seeded sample of ``settings.sample`` of them for an :func:`all_pairs_split`; return the
    pair counts per fold (:func:`write_plan`; ``n_available``: every pair), whether the fits see
    all pairs, and the scope."""
    all_pairs = all_pairs_split(settings, split)
    written = replace(settings, max_pairs=settings.sample) if all_pairs else settings
    plans = fold_plans(points, written, split)
    if len(plans) != len(paths):
        raise ValueError(f"{len(plans)} folds but {len(paths)} paths")
    return [
        {**write_plan(plan, path, chunk_rows), "all_pairs": all_pairs, "scope": settings.scope}
        for plan, path in zip(plans, paths, strict=True)
    ]
