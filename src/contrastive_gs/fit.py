"""Fit a model family to the pairs of one group and fold, once per seed; measure it on train
and test.

Every family's metrics are the same statistics of its pair predictions (:func:`evaluate`): the
lecture's residual diagnostics per side, and the information ceiling of the group's features.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contrastive_gs import diagnostics, training
from contrastive_gs.families import Family, FittedModel
from contrastive_gs.pairs import FEATURES, SIDES, TARGET, select_group

log = logging.getLogger(__name__)
PREDICTION_COLUMNS = ["i", "j", "split", "y_true", "y_pred"]


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


def side_stats(X: np.ndarray, y: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """:func:`contrastive_gs.diagnostics.split_stats` of one side; NaN (with its ``n``) for a
    side of fewer than 2 pairs, where they are not defined."""
    if len(y) < MIN_PAIRS:
        return {**dict.fromkeys(diagnostics.STAT_KEYS, float("nan")), "n": int(len(y))}
    return diagnostics.split_stats(X, y, y_pred)


def evaluate(
    model: FittedModel, points: pd.DataFrame, pairs: pd.DataFrame, label: str = ""
) -> FitResult:
    """FitResult of ``model`` on ``pairs`` (one group): statistics of each side on the pair
    features, and the information ceiling of the whole group."""
    X = pairs[FEATURES].to_numpy(np.float64)
    y = pairs[TARGET].to_numpy(np.float64)
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
    ceiling_of_group = diagnostics.information_ceiling_r2(X, y)
    metrics = {}
    for side in SIDES:
        rows = (pairs["split"] == side).to_numpy()
        metrics[side] = side_stats(X[rows], y[rows], y_pred[rows])
        metrics[side]["r2_ceiling_group"] = ceiling_of_group
        log.info("%s %s R2 %.6f RMSE %.4g", label, side, metrics[side]["r2"], metrics[side]["rmse"])
    return FitResult(model, predictions, metrics)


def fit_group(
    family: Family, points: pd.DataFrame, pairs: pd.DataFrame, seeds: list[int], label: str = ""
) -> list[FitResult]:
    """Fit ``family`` to the train pairs of one group's ``pairs`` (columns of
    :data:`contrastive_gs.pairs.PAIR_COLUMNS`; ``i, j`` index rows of ``points``): one result per
    seed, in ``seeds`` order (a deterministic family's one model is evaluated once)."""
    is_train = check_split_sizes(pairs, label, family.min_train_pairs())
    models = family.fit(points, pairs[is_train], list(seeds), label)
    evaluated: dict[int, FitResult] = {}
    results = []
    for seed, model in zip(seeds, models, strict=True):
        if id(model) not in evaluated:
            shared = sum(other is model for other in models) > 1
            seed_label = label if shared else f"{label} seed={seed}"
            evaluated[id(model)] = evaluate(model, points, pairs, seed_label)
        results.append(evaluated[id(model)])
    return results


def fit_batch(
    family: Family,
    points: pd.DataFrame,
    pairs_of_fold: Mapping[int, pd.DataFrame],
    groups: Sequence[str],
    seeds: Sequence[int],
    threads: int = 1,
) -> Iterator[tuple[str, int, int, FitResult]]:
    """Yield ``(group, fold, seed, FitResult)`` for every group, fold and seed: one process,
    many fits, on ``threads`` CPU threads."""
    if family.uses_torch:
        training.set_torch_threads(threads)
    for group in groups:
        for fold, pairs in pairs_of_fold.items():
            label = f"{family.name} group={group} fold={fold}"
            results = fit_group(family, points, select_group(pairs, group), list(seeds), label)
            for seed, result in zip(seeds, results, strict=True):
                yield group, fold, seed, result
