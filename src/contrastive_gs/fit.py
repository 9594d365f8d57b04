"""Fit a model to the pairs of one group and seed; measure it on train and test.

The features and the target are standardised as by the lecture's StandardScaler, but with
statistics of the train pairs only (the lecture used all pairs; polynomial predictions do not
depend on it, the network's only through its training).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from contrastive_gs import diagnostics, models
from contrastive_gs.pairs import FEATURES, SPLITS, TARGET, select_group

log = logging.getLogger(__name__)
PREDICTION_COLUMNS = ["i", "j", "split", "y_true", "y_pred"]
TORCH_MODELS = {"nn"}  # models trained with torch


@dataclass
class FitResult:
    """A fitted model with its predictions (``PREDICTION_COLUMNS``) and metrics per split."""

    model: Any
    x_scaler: Any
    y_scaler: Any
    predictions: pd.DataFrame
    metrics: dict[str, dict[str, float]]  # split -> diagnostics.STAT_KEYS


def _train_model(
    model_name: str, settings: Any, X: np.ndarray, y: np.ndarray, seed: int, label: str
):
    if model_name == "nn":
        return models.fit_mlp(X, y, settings, seed, label)
    if model_name == "poly":
        return models.fit_poly(X, y, settings, label)
    raise ValueError(f"unknown model {model_name!r}; expected 'nn' or 'poly'")


def _predict(model_name: str, model: Any, X: np.ndarray) -> np.ndarray:
    if model_name == "nn":
        return models.predict_mlp(model, X)
    return np.asarray(model.predict(X), dtype=np.float64).ravel()


def fit_group(
    pairs: pd.DataFrame, model_name: str, settings: Any, seed: int, label: str = ""
) -> FitResult:
    """Fit ``model_name`` ("nn" or "poly") with ``settings`` on the train pairs of ``pairs``.

    ``pairs`` holds the columns of :data:`contrastive_gs.pairs.PAIR_COLUMNS` for one group.
    """
    is_train = (pairs["split"] == "train").to_numpy()
    if is_train.sum() < 2 or (~is_train).sum() < 2:
        raise ValueError(
            f"{label}: needs at least 2 train and 2 test pairs, has {is_train.sum()} and "
            f"{(~is_train).sum()}"
        )
    X = pairs[FEATURES].to_numpy(np.float64)
    y = pairs[TARGET].to_numpy(np.float64)
    x_scaler = models.Standardizer.fit(X[is_train])
    y_scaler = models.Standardizer.fit(y[is_train].reshape(-1, 1))
    X_scaled = x_scaler.transform(X)
    y_scaled = y_scaler.transform(y.reshape(-1, 1)).ravel()
    model = _train_model(model_name, settings, X_scaled[is_train], y_scaled[is_train], seed, label)
    y_pred = y_scaler.inverse_transform(
        _predict(model_name, model, X_scaled).reshape(-1, 1)
    ).ravel()
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
    for split in SPLITS:
        rows = (pairs["split"] == split).to_numpy()
        metrics[split] = diagnostics.split_stats(X[rows], y[rows], y_pred[rows])
        metrics[split]["r2_ceiling_group"] = ceiling_of_group
        log.info(
            "%s %s R2 %.4f RMSE %.4f", label, split, metrics[split]["r2"], metrics[split]["rmse"]
        )
    return FitResult(model, x_scaler, y_scaler, predictions, metrics)


def fit_batch(
    pairs: pd.DataFrame,
    model_name: str,
    settings: Any,
    groups: list[str],
    seeds: list[int],
    threads: int = 1,
):
    """Yield ``(group, seed, FitResult)`` for every group and seed: one process, many fits, on
    ``threads`` CPU threads."""
    if model_name in TORCH_MODELS:
        models.set_torch_threads(threads)
    for group in groups:
        group_pairs = select_group(pairs, group)
        for seed in seeds:
            label = f"{model_name} group={group} seed={seed}"
            yield group, seed, fit_group(group_pairs, model_name, settings, seed, label)


def model_settings(model_name: str, params: dict[str, Any]):
    """Settings dataclass of a model from its config section (hyper-parameters applied)."""
    settings_class = {"nn": models.MLPSettings, "poly": models.PolySettings}[model_name]
    return settings_class(**params)
