"""``lasso``: the lecture's suggested sparse baseline, Lasso on the polynomial features of the
pair features, its penalty chosen by cross-validation on the train pairs.

The polynomial terms (all up to ``degree``) are standardised before the penalty so that it
weighs them alike; scikit-learn's ``LassoCV`` picks the penalty on a path of
``n_penalties`` values by ``cv_folds``-fold cross-validation over shuffled train pairs (seeded:
one fit serves every seed).  Its alpha (the scaling exponent) is the slope along
``logM_ratio``, as for ``poly``.

Where the train pairs are every pair of a split of the points, too many to tabulate, the same
Lasso is fitted to all of them exactly, from the moments of the terms over all pairs
(:func:`every_pair_lasso`, O(points x terms)); its penalty is then chosen by cross-validation
over folds of the train *points*: each fold is fitted on every pair of the other points and
scored on every pair of its own, so that no held-out pair shares a point with a fitted one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from contrastive_gs.allpairs import BlockPairs
from contrastive_gs.families._pair_features import PairFeatureFamily, ScaledPairs
from contrastive_gs.families.poly import (
    SklearnPairModel,
    TermMoments,
    design_powers,
    fitted_poly_pipeline,
    term_moments,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LassoSettings:
    """The ``lasso`` section of the config."""

    degree: int  # polynomial degree of the features
    cv_folds: int  # folds of the cross-validation that chooses the penalty
    n_penalties: int  # penalties on the path


def lasso_pipeline(settings: LassoSettings):
    """PolynomialFeatures -> StandardScaler -> LassoCV (seeded, shuffled folds)."""
    from sklearn.linear_model import LassoCV
    from sklearn.model_selection import KFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    folds = KFold(settings.cv_folds, shuffle=True, random_state=0)
    return Pipeline(
        [
            ("features", PolynomialFeatures(degree=settings.degree, include_bias=False)),
            ("scale", StandardScaler()),
            ("regression", LassoCV(alphas=settings.n_penalties, cv=folds, max_iter=100_000)),
        ]
    )


PENALTY_RANGE = 1e-3  # smallest penalty over the largest, as LassoCV's default eps
TOLERANCE = 1e-10  # coordinate descent stops when no coefficient moves more than this
MAX_SWEEPS = 100_000


def lasso_on_moments(
    covariance: np.ndarray, target_covariance: np.ndarray, penalty: float, start: np.ndarray
) -> np.ndarray:
    """Coefficients w (n,) minimising ``w @ covariance @ w / 2 - target_covariance @ w +
    penalty * |w|_1``: scikit-learn's Lasso objective, ``|y - X w|^2 / (2 N) + penalty |w|_1``
    on centred data, written in the moments of X (covariance (n, n)) and of X with y (n,);
    cyclic coordinate descent from ``start``.  A term of zero variance keeps w = 0."""
    w = np.array(start, dtype=np.float64)
    diagonal = np.diag(covariance)
    for _ in range(MAX_SWEEPS):
        largest_move = 0.0
        for k in np.flatnonzero(diagonal > 0):
            rho = target_covariance[k] - covariance[k] @ w + diagonal[k] * w[k]
            new = np.sign(rho) * max(abs(rho) - penalty, 0.0) / diagonal[k]
            largest_move = max(largest_move, abs(new - w[k]))
            w[k] = new
        if largest_move <= TOLERANCE:
            return w
    raise RuntimeError(f"lasso: coordinate descent did not converge in {MAX_SWEEPS} sweeps")


@dataclass(frozen=True)
class StandardisedLasso:
    """The Lasso of the standardised terms of a design, from their moments over some pairs."""

    moments: TermMoments

    @property
    def scale(self) -> np.ndarray:
        """Standard deviation of each term (1 where constant, as StandardScaler), (n,)."""
        std = np.sqrt(np.maximum(np.diag(self.moments.covariance()), 0.0))
        return np.where(std > 0, std, 1.0)

    def largest_penalty(self) -> float:
        """The smallest penalty that keeps every coefficient at 0."""
        return float(np.max(np.abs(self.moments.target_covariance() / self.scale)))

    def path(self, penalties: np.ndarray) -> list[tuple[np.ndarray, float]]:
        """Per penalty (decreasing, warm starts): coefficients of the unscaled terms (n,) and
        the intercept."""
        scale = self.scale
        covariance = self.moments.covariance() / np.outer(scale, scale)
        target_covariance = self.moments.target_covariance() / scale
        w = np.zeros(len(scale))
        fitted = []
        for penalty in penalties:
            w = lasso_on_moments(covariance, target_covariance, penalty, w)
            coef = w / scale
            fitted.append((coef, self.moments.target - self.moments.term @ coef))
        return fitted


def penalty_grid(largest: float, n_penalties: int) -> np.ndarray:
    """``n_penalties`` penalties from ``largest`` down to ``largest * PENALTY_RANGE``, evenly
    on a log scale (LassoCV's grid); zeros where ``largest`` is 0 (a target no term explains:
    every coefficient is 0 at any penalty)."""
    if largest <= 0:
        return np.zeros(n_penalties)
    return np.geomspace(largest, largest * PENALTY_RANGE, n_penalties)


def point_folds(blocks: BlockPairs, n_folds: int) -> list[tuple[BlockPairs, BlockPairs]]:
    """(fitted, held out) pairs of each fold of ``blocks``' points (shuffled KFold, seed 0):
    every pair of the other points, and every pair of the fold's points, within the blocks.
    ValueError where a fold would have no pair on either side."""
    from sklearn.model_selection import KFold

    index = blocks.block_index
    folds = []
    for fitted, held_out in KFold(n_folds, shuffle=True, random_state=0).split(blocks.points):
        sides = [BlockPairs.from_labels(blocks.points[k], index[k]) for k in (fitted, held_out)]
        if min(side.n_pairs for side in sides) == 0:
            raise ValueError(
                f"{len(blocks.points)} train points in {len(blocks.sizes)} block(s) cannot be "
                f"cut into {n_folds} folds of points with pairs on both sides (lasso.cv_folds)"
            )
        folds.append(tuple(sides))
    return folds


def point_cross_validation_errors(
    pairs: ScaledPairs, powers: np.ndarray, penalties: np.ndarray, n_folds: int
) -> np.ndarray:
    """Per penalty, the mean squared error over the held-out pairs of each fold of the train
    points (:func:`point_folds`), summed over the folds: shape (len(penalties),)."""
    errors = np.zeros(len(penalties))
    for fitted, held_out in point_folds(pairs.blocks, n_folds):
        scored = term_moments(pairs, held_out, powers)
        path = StandardisedLasso(term_moments(pairs, fitted, powers)).path(penalties)
        errors += [scored.mean_squared_error(coef, intercept) for coef, intercept in path]
    return errors


def every_pair_lasso(pairs: ScaledPairs, settings: LassoSettings, label: str):
    """``lasso_pipeline(settings)``'s model fitted to every train pair of ``pairs``, exactly,
    in O(points x terms x folds); its penalty chosen by ``settings.cv_folds``-fold
    cross-validation over the train points (the lowest mean squared error over the folds'
    held-out pairs).  Returned as the polynomial pipeline of its coefficients."""
    powers = design_powers(settings.degree)
    every_pair = StandardisedLasso(term_moments(pairs, pairs.blocks, powers))
    grid = penalty_grid(every_pair.largest_penalty(), settings.n_penalties)
    best = int(np.argmin(point_cross_validation_errors(pairs, powers, grid, settings.cv_folds)))
    coef, intercept = every_pair.path(grid[: best + 1])[-1]
    log.info(
        "%s: penalty %.4g chosen by %d-fold CV over the train points (every pair); %d of %d "
        "terms kept",
        label, grid[best], settings.cv_folds, int((coef != 0).sum()), len(coef),
    )  # fmt: skip
    return fitted_poly_pipeline(settings.degree, coef, intercept)


class Lasso(PairFeatureFamily):
    name: ClassVar[str] = "lasso"
    label: ClassVar[str] = "lasso"
    description: ClassVar[str] = "Lasso on the polynomial pair features, penalty by CV"
    settings_type: ClassVar[type] = LassoSettings
    hyper_keys: ClassVar[tuple[str, ...]] = ("degree",)
    builds_pairs_from_points: ClassVar[bool] = True

    def min_train_pairs(self) -> int:
        return self.settings.cv_folds

    def fit_scaled(self, X, y, scalers, seeds, label):
        if len(y) < self.settings.cv_folds:
            raise ValueError(
                f"{label}: {len(y)} train pairs cannot be cut into {self.settings.cv_folds} "
                "cross-validation folds (lasso.cv_folds)"
            )
        pipeline = lasso_pipeline(self.settings).fit(X, y)
        regression = pipeline.named_steps["regression"]
        kept = int((regression.coef_ != 0).sum())
        log.info(
            "%s: penalty %.4g chosen by %d-fold CV; %d of %d terms kept",
            label, regression.alpha_, self.settings.cv_folds, kept, len(regression.coef_),
        )  # fmt: skip
        return [SklearnPairModel(pipeline, *scalers)] * len(seeds)

    def fit_every_pair(self, pairs, seeds, label):
        """Lasso over every train pair, exactly, penalty by CV over the train points."""
        regressor = every_pair_lasso(pairs, self.settings, label)
        return [SklearnPairModel(regressor, *pairs.scalers)] * len(seeds)
