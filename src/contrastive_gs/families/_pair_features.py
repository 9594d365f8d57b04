"""What the families of the lecture's pair features share (``nn``, ``poly``, ``lasso``).

They see only ``logM_ratio, invT_diff, Tg_diff`` of a pair, standardised as by the lecture's
StandardScaler but with statistics of the train pairs only (the lecture used all pairs;
polynomial predictions do not depend on it), and predict the standardised ``logD_ratio``.

Their alpha is minus the slope of the prediction along ``logM_ratio`` at ``invT_diff = 0`` and
``Tg_diff = 0`` (:func:`pair_model_alpha`).  For two points at the same temperature the truth is
``-alpha(T) logM_ratio``, but a model of pair features sees the same features
``(logM_ratio, 0, 0)`` at every T: it can hold only *one* slope, so its alpha is one number for
all T.  That bias is the point: the lecture's features cannot express alpha(T), whatever the
model's capacity.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from contrastive_gs.allpairs import BlockPairs, pair_moments
from contrastive_gs.families._base import Family, FittedModel, NotIdentifiable
from contrastive_gs.laws import ESTIMATED, not_identifiable
from contrastive_gs.pairs import FEATURES, TARGET, point_coordinates

ONE_MOLAR_MASS = "one molar mass: alpha's M-dependence cannot be seen"
ONE_ALPHA = "a model of pair features has one alpha for all T"

PAIR_MODEL_GRID = 21  # points of the logM_ratio grid on which a pair model's slope is taken


@dataclass(frozen=True)
class Standardizer:
    """``(x - mean) / scale`` per column, as sklearn's StandardScaler (population std; a constant
    column gets scale 1).  Written out because importing scikit-learn costs a network job ~1 s."""

    mean: np.ndarray  # shape (k,)
    scale: np.ndarray  # shape (k,)

    @classmethod
    def fit(cls, values: np.ndarray) -> Standardizer:
        """Statistics of ``values`` (n, k)."""
        values = np.asarray(values, dtype=np.float64)
        scale = values.std(axis=0)
        return cls(values.mean(axis=0), np.where(scale > 0, scale, 1.0))

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.scale

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=np.float64) * self.scale + self.mean


def pair_model_alpha(
    predict: Callable[[np.ndarray], np.ndarray],
    logM_half_range: float,
    n_grid: int = PAIR_MODEL_GRID,
) -> float:
    """alpha of a model on pair features: minus its slope along ``logM_ratio``.

    ``predict`` maps unscaled pair features (n, 3), columns ``FEATURES``, to ``logD_ratio``
    (n,).  The slope is the least-squares line through ``n_grid`` predictions at ``logM_ratio``
    evenly spaced over ``[-logM_half_range, logM_half_range]`` (the data's range) with
    ``invT_diff = Tg_diff = 0``; for a polynomial of degree 2 it equals the derivative at 0.
    """
    if not logM_half_range > 0:
        raise ValueError(f"logM_half_range must be > 0, got {float(logM_half_range)}")
    x = np.linspace(-logM_half_range, logM_half_range, n_grid)
    X = np.zeros((n_grid, len(FEATURES)))
    X[:, FEATURES.index("logM_ratio")] = x
    y = np.asarray(predict(X), dtype=np.float64).ravel()
    return float(-np.polyfit(x, y, 1)[0])


@dataclass(frozen=True)
class ScaledPairs:
    """Every pair of ``blocks`` (the train pairs of a split of the points), standardised with
    the exact moments of all of them (O(points)), built from the points on demand: ``scaled``
    holds each point's coordinates (:func:`contrastive_gs.pairs.point_coordinates`) over the
    pair scales, shape (N, 4), so a pair's standardised features and target are
    ``scaled[i] - scaled[j] - offset``."""

    scaled: np.ndarray
    offset: np.ndarray  # pair means over pair scales, shape (4,)
    blocks: BlockPairs
    scalers: tuple[Standardizer, Standardizer]  # of the features (3,) and the target (1,)

    @classmethod
    def of(cls, points: pd.DataFrame, blocks: BlockPairs) -> ScaledPairs:
        coordinates = point_coordinates(points)
        mean, std = pair_moments(coordinates[blocks.points], blocks)
        scale = np.where(std > 0, std, 1.0)
        n = len(FEATURES)
        scalers = (Standardizer(mean[:n], scale[:n]), Standardizer(mean[n:], scale[n:]))
        return cls(coordinates / scale, mean / scale, blocks, scalers)

    def rows(self, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Standardised features (m, 3) and target (m,) of pairs (i, j)."""
        scaled = self.scaled[i] - self.scaled[j] - self.offset
        return scaled[:, : len(FEATURES)], scaled[:, len(FEATURES)]

    def every_pair(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`rows` of every pair, in pair order."""
        return self.rows(*self.blocks.pair_rows(np.arange(self.blocks.n_pairs)))

    def batches(self, size: int, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Endless seeded mini-batches of :meth:`rows` (:meth:`BlockPairs.batches`)."""
        for i, j in self.blocks.batches(size, seed):
            yield self.rows(i, j)


class PairFeatureModel(FittedModel):
    """A fitted model of the standardised pair features, with its scalers."""

    def __init__(self, x_scaler: Standardizer, y_scaler: Standardizer):
        self.x_scaler = x_scaler
        self.y_scaler = y_scaler

    @abstractmethod
    def predict_scaled(self, X_scaled: np.ndarray) -> np.ndarray:
        """Standardised ``logD_ratio`` (n,) of standardised features (n, 3)."""

    def predict_features(self, X: np.ndarray) -> np.ndarray:
        """``logD_ratio`` (n,) of unscaled pair features (n, 3), columns ``FEATURES``."""
        y_scaled = self.predict_scaled(self.x_scaler.transform(X))
        return self.y_scaler.inverse_transform(np.reshape(y_scaled, (-1, 1))).ravel()

    def predict_pairs(self, points: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
        return self.predict_features(pairs[FEATURES].to_numpy(np.float64))

    def alpha(self, points: pd.DataFrame) -> np.ndarray | NotIdentifiable:
        """One alpha for every point: minus the slope along ``logM_ratio`` over the range of
        ``ln(M_i/M_j)`` that the points span (see the module docstring)."""
        M = points["M"].to_numpy(np.float64)
        if len(M) == 0 or M.max() <= M.min():
            return NotIdentifiable(ONE_MOLAR_MASS)
        value = pair_model_alpha(self.predict_features, float(np.log(M.max() / M.min())))
        return np.full(len(points), value)


class PairFeatureFamily(Family):
    """A family on the lecture's pair features: standardise, fit the scaled train pairs."""

    def identifiability(self, points: pd.DataFrame) -> dict[str, str]:
        """alpha: one value, where two molar masses show it; the law's parameters: never."""
        several_M = points["M"].nunique() > 1
        alpha = (
            f"{ESTIMATED} (one value for all T)" if several_M else not_identifiable(ONE_MOLAR_MASS)
        )
        law = dict.fromkeys(self.law.parameter_names(), not_identifiable(ONE_ALPHA))
        return {"alpha": alpha, **law}

    @abstractmethod
    def fit_scaled(
        self,
        X: np.ndarray,
        y: np.ndarray,
        scalers: tuple[Standardizer, Standardizer],
        seeds: list[int],
        label: str,
    ) -> list[PairFeatureModel]:
        """One model per seed from standardised train features ``X`` (n, 3) and target (n,)."""

    def fit_every_pair(
        self, pairs: ScaledPairs, seeds: list[int], label: str
    ) -> list[PairFeatureModel]:
        """One model per seed from every train pair of a split of the points (a family that
        ``builds_pairs_from_points``): by default one full batch of all of them."""
        return self.fit_scaled(*pairs.every_pair(), pairs.scalers, seeds, label)

    def fit(
        self,
        points: pd.DataFrame,
        train_pairs: pd.DataFrame | BlockPairs,
        seeds: list[int],
        label: str,
    ) -> list[FittedModel]:
        if isinstance(train_pairs, BlockPairs):
            return self.fit_every_pair(ScaledPairs.of(points, train_pairs), seeds, label)
        # C order (a DataFrame gives columns: F order): sums and least squares then run in the
        # same order, and give the same bits, as on the train rows of the whole table.
        X = np.ascontiguousarray(train_pairs[FEATURES].to_numpy(np.float64))
        y = train_pairs[TARGET].to_numpy(np.float64).reshape(-1, 1)
        scalers = (Standardizer.fit(X), Standardizer.fit(y))
        X_scaled, y_scaled = scalers[0].transform(X), scalers[1].transform(y).ravel()
        return self.fit_scaled(X_scaled, y_scaled, scalers, seeds, label)
