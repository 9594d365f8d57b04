"""Fit a model to the pairs of one group and seed; measure it on train and test.

Five model families, all trained on pairs only:

- ``nn`` and ``poly``, the lecture's models on the pair features (``fit_pair_model``); features
  and target are standardised as by the lecture's StandardScaler, but with statistics of the
  train pairs only (the lecture used all pairs; polynomial predictions do not depend on it);
- ``twin`` and ``twin_structured``, one network g of a point applied to both points of a pair
  (:mod:`contrastive_gs.twin`);
- ``kernel``, the scaling law itself fitted by nonlinear least squares
  (:mod:`contrastive_gs.kernel`).

Every family's metrics are the same statistics of its pair predictions (:func:`pair_fit_result`).
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
PAIR_FEATURE_MODELS = ("nn", "poly")  # the lecture's models, on pair features
TWIN_MODELS = ("twin", "twin_structured")
MODELS = (*PAIR_FEATURE_MODELS, *TWIN_MODELS, "kernel")
TORCH_MODELS = {"nn", *TWIN_MODELS}  # trained with torch


@dataclass
class FitResult:
    """A fitted model with its predictions (``PREDICTION_COLUMNS``) and metrics per split."""

    model: Any
    x_scaler: Any  # scalers of the pair features and target (None for twins and the kernel)
    y_scaler: Any
    predictions: pd.DataFrame
    metrics: dict[str, dict[str, float]]  # split -> diagnostics.STAT_KEYS


def check_split_sizes(pairs: pd.DataFrame, label: str) -> np.ndarray:
    """The train mask of ``pairs``; ValueError unless both sides hold at least 2 pairs."""
    is_train = (pairs["split"] == "train").to_numpy()
    if is_train.sum() < 2 or (~is_train).sum() < 2:
        raise ValueError(
            f"{label}: needs at least 2 train and 2 test pairs, has {is_train.sum()} and "
            f"{(~is_train).sum()}"
        )
    return is_train


def pair_fit_result(
    pairs: pd.DataFrame, y_pred: np.ndarray, model: Any, label: str = "", scalers=(None, None)
) -> FitResult:
    """FitResult of predictions ``y_pred`` (n,) of ``pairs`` (one group): statistics of each split
    on the pair features, and the information ceiling of the whole group."""
    X = pairs[FEATURES].to_numpy(np.float64)
    y = pairs[TARGET].to_numpy(np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
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
            "%s %s R2 %.6f RMSE %.4g", label, split, metrics[split]["r2"], metrics[split]["rmse"]
        )
    return FitResult(model, *scalers, predictions, metrics)


def fit_pair_model(
    pairs: pd.DataFrame, model_name: str, settings: Any, seeds: list[int], label: str = ""
) -> list[FitResult]:
    """Fit the lecture's ``nn`` or ``poly`` with ``settings`` on the train pairs of ``pairs``
    (one group, columns of :data:`contrastive_gs.pairs.PAIR_COLUMNS`): one result per seed (the
    networks of all seeds are trained together, :func:`contrastive_gs.models.fit_mlps`; the
    polynomial is fitted once)."""
    is_train = check_split_sizes(pairs, label)
    X = pairs[FEATURES].to_numpy(np.float64)
    y = pairs[TARGET].to_numpy(np.float64)
    x_scaler = models.Standardizer.fit(X[is_train])
    y_scaler = models.Standardizer.fit(y[is_train].reshape(-1, 1))
    X_scaled = x_scaler.transform(X)
    y_scaled = y_scaler.transform(y.reshape(-1, 1)).ravel()

    def result_of(model, y_pred_scaled: np.ndarray, seed_label: str) -> FitResult:
        y_pred = y_scaler.inverse_transform(y_pred_scaled.reshape(-1, 1)).ravel()
        return pair_fit_result(pairs, y_pred, model, seed_label, (x_scaler, y_scaler))

    if model_name == "poly":
        poly = models.fit_poly(X_scaled[is_train], y_scaled[is_train], settings, label)
        return [result_of(poly, poly.predict(X_scaled), label)] * len(seeds)
    networks = models.fit_mlps(X_scaled[is_train], y_scaled[is_train], settings, seeds, label)
    results = []
    for seed, network in zip(seeds, networks, strict=True):
        y_pred_scaled = models.predict_mlp(network, X_scaled)
        results.append(result_of(network, y_pred_scaled, f"{label} seed={seed}"))
    return results


def fit_group_seeds(
    pairs: pd.DataFrame,
    model_name: str,
    settings: Any,
    seeds: list[int],
    label: str = "",
    points: pd.DataFrame | None = None,
    M0: float | None = None,
) -> list[FitResult]:
    """Fit any model family to one group's ``pairs``, once per seed (deterministic models: once
    for all); twins and the kernel also need the ``points`` that the pairs' i, j index, and the
    reference molar mass ``M0`` (g/mol)."""
    if model_name in PAIR_FEATURE_MODELS:
        return fit_pair_model(pairs, model_name, settings, seeds, label)
    if model_name not in MODELS:
        raise ValueError(f"unknown model {model_name!r}; expected one of {MODELS}")
    is_train = check_split_sizes(pairs, label)
    if model_name == "kernel":
        from contrastive_gs import kernel

        model = kernel.fit_kernel(points, pairs[is_train], settings, label)
        result = pair_fit_result(pairs, model.predict_pairs(points, pairs), model, label)
        return [result] * len(seeds)
    from contrastive_gs import twin

    structured = model_name == "twin_structured"
    results = []
    for seed in seeds:
        seed_label = f"{label} seed={seed}"
        model = twin.fit_twin(points, pairs[is_train], settings, seed, structured, seed_label, M0)
        y_pred = model.predict_pairs(points, pairs)
        results.append(pair_fit_result(pairs, y_pred, model, seed_label))
    return results


def fit_group(
    pairs: pd.DataFrame,
    model_name: str,
    settings: Any,
    seed: int,
    label: str = "",
    points: pd.DataFrame | None = None,
    M0: float | None = None,
) -> FitResult:
    """:func:`fit_group_seeds` for one seed."""
    return fit_group_seeds(pairs, model_name, settings, [seed], label, points, M0)[0]


def fit_batch(
    pairs: pd.DataFrame,
    model_name: str,
    settings: Any,
    groups: list[str],
    seeds: list[int],
    threads: int = 1,
    points: pd.DataFrame | None = None,
    M0: float | None = None,
):
    """Yield ``(group, seed, FitResult)`` for every group and seed: one process, many fits, on
    ``threads`` CPU threads."""
    if model_name in TORCH_MODELS:
        models.set_torch_threads(threads)
    for group in groups:
        label = f"{model_name} group={group}"
        group_pairs = select_group(pairs, group)
        results = fit_group_seeds(group_pairs, model_name, settings, seeds, label, points, M0)
        for seed, result in zip(seeds, results, strict=True):
            yield group, seed, result


def model_settings(model_name: str, params: dict[str, Any], M0: float = 100.0):
    """Settings dataclass of a model from its config section (hyper-parameters applied); ``M0``
    (g/mol) is the data's reference molar mass, known to the kernel."""
    if model_name in TWIN_MODELS:
        from contrastive_gs.twin import TwinSettings

        return TwinSettings(**params)
    if model_name == "kernel":
        from contrastive_gs.kernel import KernelSettings

        fit_r = {"auto": None, "yes": True, "no": False}[params["fit_r"]]
        return KernelSettings(M0=M0, fit_r=fit_r)
    return {"nn": models.MLPSettings, "poly": models.PolySettings}[model_name](**params)
