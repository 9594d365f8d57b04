"""Fit a model family to the pairs of one group and fold, once per seed; measure it on train
and test.

Every family's metrics are the same statistics of its pair predictions (:func:`evaluate`): the
lecture's residual diagnostics per side, and the information ceiling of the group's features.

Where the pairs of each side are every pair within blocks of its points (a split of the points
without ``max_pairs``), a family whose pairs are differences of one point function (the twins,
the kernel) trains on all of them and is measured on all of them in O(points)
(:mod:`contrastive_gs.allpairs`); the pair table of the fold is then a seeded sample of the
pairs (``pairs.sample``), for the per-pair files and the metrics of the models of pair features.
Those of them that build their pairs from the points (``nn``, ``poly``, ``lasso``) still train on
every train pair; ``sr`` trains on the sample.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contrastive_gs import allpairs, diagnostics, training
from contrastive_gs.families import Family, FittedModel
from contrastive_gs.pairs import FEATURES, SIDES, TARGET, select_group

log = logging.getLogger(__name__)
PREDICTION_COLUMNS = ["i", "j", "split", "y_true", "y_pred"]


@dataclass(frozen=True)
class FoldPairs:
    """The pairs of one fold: its pair ``table`` (every pair, or a seeded sample of them where
    ``sides`` is given) and, for a split of the points without ``max_pairs``, the side of every
    point (shape (n,)) and the pairing ``scope``: the train and test pairs are then every pair
    of a side's points within a block."""

    table: pd.DataFrame
    sides: np.ndarray | None = None
    scope: str = "within"


@dataclass
class FitResult:
    """A fitted model with its predictions (``PREDICTION_COLUMNS``) and metrics per side."""

    model: FittedModel
    predictions: pd.DataFrame
    metrics: dict[str, dict[str, float]]  # side -> diagnostics.STAT_KEYS


MIN_PAIRS = 2  # pairs a side's statistics need


def check_split_sizes(pairs: pd.DataFrame, label: str, minimum: int = 1) -> np.ndarray:
    """The train mask of ``pairs``; ValueError unless it holds at least ``minimum`` train pairs
    (with fewer than 2 pairs, a side's statistics are NaN)."""
    is_train = (pairs["split"] == "train").to_numpy()
    if is_train.sum() < minimum:
        raise ValueError(
            f"{label}: needs at least {minimum} train pair(s), has {int(is_train.sum())} (and "
            f"{int((~is_train).sum())} test pairs)"
        )
    return is_train


def side_stats(
    X: np.ndarray, y: np.ndarray, y_pred: np.ndarray, ceiling: float | None = None
) -> dict[str, float]:
    """:func:`contrastive_gs.diagnostics.split_stats` of one side; NaN (with its ``n``) for a
    side of fewer than 2 pairs, where they are not defined."""
    if len(y) < MIN_PAIRS:
        return {**dict.fromkeys(diagnostics.STAT_KEYS, float("nan")), "n": int(len(y))}
    return diagnostics.split_stats(X, y, y_pred, ceiling)


def pair_ceilings(pairs: pd.DataFrame) -> dict[str, float]:
    """The information ceiling (R2) of each side's pairs and of all of them ("group"): the same
    for every model fitted to ``pairs``, so computed once for all seeds (NaN for a side of
    fewer than 2 pairs)."""
    X = pairs[FEATURES].to_numpy(np.float64)
    y = pairs[TARGET].to_numpy(np.float64)
    ceilings = {"group": diagnostics.information_ceiling_r2(X, y)}
    for side in SIDES:
        rows = (pairs["split"] == side).to_numpy()
        enough = rows.sum() >= MIN_PAIRS
        ceilings[side] = diagnostics.information_ceiling_r2(X[rows], y[rows]) if enough else np.nan
    return ceilings


def evaluate(
    model: FittedModel,
    points: pd.DataFrame,
    pairs: pd.DataFrame,
    label: str = "",
    ceilings: Mapping[str, float] | None = None,
) -> FitResult:
    """FitResult of ``model`` on ``pairs`` (one group): statistics of each side on the pair
    features, and the information ceiling of the whole group (``ceilings``:
    :func:`pair_ceilings` of ``pairs``, where the caller has them)."""
    X = pairs[FEATURES].to_numpy(np.float64)
    y = pairs[TARGET].to_numpy(np.float64)
    ceilings = pair_ceilings(pairs) if ceilings is None else ceilings
    y_pred = np.asarray(model.predict_pairs(points, pairs), dtype=np.float64)
    predictions = pd.DataFrame(
        {
            "i": pairs["i"].to_numpy(),
            "j": pairs["j"].to_numpy(),
            "split": pairs["split"].to_numpy(),
            "y_true": y,
            "y_pred": y_pred,
        }
    )
    metrics = {}
    for side in SIDES:
        rows = (pairs["split"] == side).to_numpy()
        metrics[side] = side_stats(X[rows], y[rows], y_pred[rows], ceilings[side])
        metrics[side]["r2_ceiling_group"] = ceilings["group"]
        log.info("%s %s R2 %.6f RMSE %.4g", label, side, metrics[side]["r2"], metrics[side]["rmse"])
    return FitResult(model, predictions, metrics)


def evaluate_all_pairs(
    model: FittedModel,
    points: pd.DataFrame,
    pairs: pd.DataFrame,
    blocks: Mapping[str, allpairs.BlockPairs],
    label: str = "",
) -> FitResult:
    """FitResult of a model of one point function on every pair of ``blocks`` (per side), in
    O(points); its predictions, the Shapiro-Wilk test and the information ceilings from the
    pair table ``pairs`` (the group's pairs of the fold's table: all of them, or a sample; the
    ceilings are NaN for a sample, where they would be biased towards 1)."""
    g = np.asarray(model.log_diffusivity(points), dtype=np.float64)
    logD = points["logD"].to_numpy(np.float64)
    X = pairs[FEATURES].to_numpy(np.float64)
    y = pairs[TARGET].to_numpy(np.float64)
    y_pred = np.asarray(model.predict_pairs(points, pairs), dtype=np.float64)
    predictions = pd.DataFrame(
        {"i": pairs["i"].to_numpy(), "j": pairs["j"].to_numpy(),
         "split": pairs["split"].to_numpy(), "y_true": y, "y_pred": y_pred}
    )  # fmt: skip
    complete = len(pairs) == _n_pairs(blocks)
    nan = float("nan")
    ceiling_of_group = diagnostics.information_ceiling_r2(X, y) if complete else nan
    metrics = {}
    for side in SIDES:
        side_blocks = blocks[side]
        rows = (pairs["split"] == side).to_numpy()
        if side_blocks.n_pairs < MIN_PAIRS:
            stats = {**dict.fromkeys(diagnostics.STAT_KEYS, nan), "n": side_blocks.n_pairs}
        else:
            stats = allpairs.pair_residual_stats(
                g[side_blocks.points], logD[side_blocks.points], side_blocks
            )
            stats["shapiro_W"], stats["shapiro_p"] = diagnostics.shapiro(y_pred[rows] - y[rows])
            stats["r2_ceiling"] = (
                diagnostics.information_ceiling_r2(X[rows], y[rows]) if complete else nan
            )
        metrics[side] = {**stats, "r2_ceiling_group": ceiling_of_group}
        log.info("%s %s R2 %.6f RMSE %.4g over all %d pairs", label, side, metrics[side]["r2"],
                 metrics[side]["rmse"], side_blocks.n_pairs)  # fmt: skip
    return FitResult(model, predictions, metrics)


def _n_pairs(blocks: Mapping[str, allpairs.BlockPairs]) -> int:
    """Pairs of both sides."""
    return sum(side.n_pairs for side in blocks.values())


def fit_group(
    family: Family,
    points: pd.DataFrame,
    pairs: pd.DataFrame,
    seeds: list[int],
    label: str = "",
    blocks: Mapping[str, allpairs.BlockPairs] | None = None,
) -> list[FitResult]:
    """Fit ``family`` to the train pairs of one group's ``pairs`` (columns of
    :data:`contrastive_gs.pairs.PAIR_COLUMNS`; ``i, j`` index rows of ``points``): one result per
    seed, in ``seeds`` order (a deterministic family's one model is evaluated once).

    ``blocks``: per side, every pair of the group within blocks of points
    (:func:`contrastive_gs.allpairs.group_block_pairs`), for a family that
    ``trains_on_all_pairs``: it then trains on all train pairs and is measured on all pairs of
    each side in O(points), ``pairs`` giving its per-pair predictions; or for a family that
    ``builds_pairs_from_points``, where ``pairs`` is a sample of them: it then trains on all
    train pairs, built from the points, and is measured on the sample."""
    on_all_pairs = blocks is not None and family.trains_on_all_pairs
    from_points = (
        blocks is not None and family.builds_pairs_from_points and len(pairs) < _n_pairs(blocks)
    )
    if on_all_pairs or from_points:
        train = blocks["train"]
        if train.n_pairs < family.min_train_pairs():
            raise ValueError(
                f"{label}: needs at least {family.min_train_pairs()} train pair(s), has "
                f"{train.n_pairs} (and {blocks['test'].n_pairs} test pairs)"
            )
        how = "in O(points)" if on_all_pairs else f"measured on a sample of {len(pairs)} pairs"
        log.info("%s: training on all %d train pairs of %d points, %s", label, train.n_pairs,
                 len(train.points), how)  # fmt: skip
    else:
        train = pairs[check_split_sizes(pairs, label, family.min_train_pairs())]

    ceilings = None if on_all_pairs else pair_ceilings(pairs)

    def measure(model: FittedModel, model_label: str) -> FitResult:
        if on_all_pairs:
            return evaluate_all_pairs(model, points, pairs, blocks, model_label)
        return evaluate(model, points, pairs, model_label, ceilings)

    models = family.fit(points, train, list(seeds), label)
    evaluated: dict[int, FitResult] = {}
    results = []
    for seed, model in zip(seeds, models, strict=True):
        if id(model) not in evaluated:
            shared = sum(other is model for other in models) > 1
            evaluated[id(model)] = measure(model, label if shared else f"{label} seed={seed}")
        results.append(evaluated[id(model)])
    return results


def fit_batch(
    family: Family,
    points: pd.DataFrame,
    folds: Mapping[int, FoldPairs],
    groups: Sequence[str],
    seeds: Sequence[int],
    threads: int = 1,
    device: str | None = "cpu",
) -> Iterator[tuple[str, int, int, FitResult]]:
    """Yield ``(group, fold, seed, FitResult)`` for every group, fold and seed: one process,
    many fits, on ``threads`` CPU threads; a torch family trains on the device entry ``device``
    (:mod:`contrastive_gs.devices`; None for the other families, which never read it)."""
    if family.uses_torch:
        training.set_torch_threads(threads)
        training.use_device(device)
    for group in groups:
        for fold, fold_pairs in folds.items():
            label = f"{family.name} group={group} fold={fold}"
            blocks = None
            if fold_pairs.sides is not None and (
                family.trains_on_all_pairs or family.builds_pairs_from_points
            ):
                blocks = allpairs.group_block_pairs(
                    points, fold_pairs.sides, fold_pairs.scope, group
                )
            pairs = select_group(fold_pairs.table, group)
            results = fit_group(family, points, pairs, list(seeds), label, blocks)
            for seed, result in zip(seeds, results, strict=True):
                yield group, fold, seed, result
