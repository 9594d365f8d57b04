"""``poly``: the lecture's polynomial regression on the pair features (all terms up to
``degree``, least squares).  Deterministic: one fit serves every seed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from contrastive_gs import allpairs
from contrastive_gs.families._pair_features import (
    PairFeatureFamily,
    PairFeatureModel,
    ScaledPairs,
)
from contrastive_gs.pairs import FEATURES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PolySettings:
    """The ``poly`` section of the config."""

    degree: int


def poly_design_rank(X: np.ndarray, degree: int) -> tuple[int, int]:
    """(rank, number of terms) of the polynomial design on the non-constant columns of ``X``.

    A constant feature (``Tg_diff`` is 0 for pairs within one polymer) adds only zero columns;
    they are left out so that the check speaks of the features that vary.
    """
    from sklearn.preprocessing import PolynomialFeatures

    varying = X[:, np.ptp(X, axis=0) > 0]
    if varying.shape[1] == 0:
        return 1, 1  # every feature constant: the intercept alone
    design = PolynomialFeatures(degree=degree, include_bias=True).fit_transform(varying)
    return int(np.linalg.matrix_rank(design)), design.shape[1]


def warn_if_rank_deficient(X: np.ndarray, degree: int, label: str) -> None:
    """Log a warning when the polynomial design of ``X`` is singular."""
    _warn_if_below(*poly_design_rank(X, degree), degree, label)


def _warn_if_below(rank: int, n_terms: int, degree: int, label: str) -> None:
    if rank < n_terms:
        log.warning(
            "%s: polynomial design is rank-deficient (rank %d of %d terms): too few distinct "
            "feature values for degree %d; least squares returns the minimum-norm solution",
            label, rank, n_terms, degree,
        )  # fmt: skip


class SklearnPairModel(PairFeatureModel):
    """A fitted scikit-learn regressor of the standardised pair features."""

    def __init__(self, regressor, x_scaler, y_scaler):
        super().__init__(x_scaler, y_scaler)
        self.regressor = regressor

    def predict_scaled(self, X_scaled: np.ndarray) -> np.ndarray:
        return np.asarray(self.regressor.predict(X_scaled), dtype=np.float64)


def poly_pipeline(degree: int):
    """Polynomial regression of the given degree (all terms up to it) by least squares."""
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import PolynomialFeatures

    return Pipeline(
        [
            ("features", PolynomialFeatures(degree=degree, include_bias=False)),
            ("regression", LinearRegression()),
        ]
    )


def design_powers(degree: int) -> np.ndarray:
    """Exponents of the pair features in each term of ``poly_pipeline(degree)``'s design, in
    its column order: shape (terms, 3)."""
    features = poly_pipeline(degree).named_steps["features"]
    return features.fit(np.zeros((1, len(FEATURES)))).powers_


def fitted_poly_pipeline(degree: int, coef: np.ndarray, intercept: float):
    """``poly_pipeline(degree)`` with the given coefficients of its terms (shape (terms,)) and
    intercept, as if fitted."""
    pipeline = poly_pipeline(degree)
    pipeline.named_steps["features"].fit(np.zeros((1, len(FEATURES))))
    regression = pipeline.named_steps["regression"]
    regression.coef_, regression.intercept_ = np.asarray(coef, np.float64), float(intercept)
    regression.n_features_in_ = len(coef)
    return pipeline


@dataclass(frozen=True)
class TermMoments:
    """Means over a set of pairs of the terms t of a polynomial design of the standardised pair
    features (shape (n,)), of their products, of their products with the standardised target
    y, of y and of y^2."""

    term: np.ndarray  # E[t], (n,)
    products: np.ndarray  # E[t t^T], (n, n)
    with_target: np.ndarray  # E[t y], (n,)
    target: float  # E[y]
    target_square: float  # E[y^2]

    def covariance(self) -> np.ndarray:
        """Covariance of the terms over the pairs, (n, n)."""
        return self.products - np.outer(self.term, self.term)

    def target_covariance(self) -> np.ndarray:
        """Covariance of each term with the target, (n,)."""
        return self.with_target - self.term * self.target

    def mean_squared_error(self, coef: np.ndarray, intercept: float) -> float:
        """Mean over the pairs of ``(y - intercept - t @ coef)^2``."""
        return float(
            self.target_square - 2 * intercept * self.target - 2 * coef @ self.with_target
            + intercept**2 + 2 * intercept * coef @ self.term + coef @ self.products @ coef
        )  # fmt: skip


def term_moments(
    pairs: ScaledPairs, blocks: allpairs.BlockPairs, powers: np.ndarray
) -> TermMoments:
    """:class:`TermMoments` of the terms with exponents ``powers`` (n, 3) over every pair of
    ``blocks`` (some of ``pairs.blocks``' points), exactly, in O(points x terms): each mean is a
    sum of monomials of the pair differences (:func:`allpairs.pair_monomial_sums`)."""
    powers = np.hstack([powers, np.zeros((len(powers), 1), np.int64)])
    target = np.eye(len(FEATURES) + 1, dtype=np.int64)[-1]
    n = len(powers)
    wanted = np.vstack([powers, (powers[:, None] + powers[None]).reshape(-1, powers.shape[1]),
                        powers + target, target[None], 2 * target[None]])  # fmt: skip
    unique, where = np.unique(wanted, axis=0, return_inverse=True)
    sums = allpairs.pair_monomial_sums(pairs.scaled[blocks.points], blocks, unique, pairs.offset)
    means = sums[where.ravel()] / blocks.n_pairs
    return TermMoments(
        means[:n], means[n : n + n * n].reshape(n, n),
        means[n + n * n : 2 * n + n * n], float(means[-2]), float(means[-1]),
    )  # fmt: skip


def every_pair_least_squares(pairs: ScaledPairs, degree: int, label: str):
    """The polynomial regression of ``poly_pipeline(degree)`` fitted to every pair of
    ``pairs`` (standardised target on standardised features), exactly, in O(points x terms):
    least squares on the moments of the design's terms over all pairs (:func:`term_moments`;
    minimum norm where the design is singular, as on the pair table)."""
    moments = term_moments(pairs, pairs.blocks, design_powers(degree))
    covariance = moments.covariance()
    coef = np.linalg.lstsq(covariance, moments.target_covariance(), rcond=None)[0]
    varying = np.diag(covariance) > 1e-12 * np.max(np.diag(covariance))
    _warn_if_below(
        int(np.linalg.matrix_rank(covariance[np.ix_(varying, varying)])) + 1,
        int(varying.sum()) + 1, degree, label,
    )  # fmt: skip
    return fitted_poly_pipeline(degree, coef, moments.target - moments.term @ coef)


class Poly(PairFeatureFamily):
    name: ClassVar[str] = "poly"
    label: ClassVar[str] = "poly"
    description: ClassVar[str] = "the lecture's polynomial regression on the pair features"
    settings_type: ClassVar[type] = PolySettings
    hyper_keys: ClassVar[tuple[str, ...]] = ("degree",)
    builds_pairs_from_points: ClassVar[bool] = True

    def fit_every_pair(self, pairs, seeds, label):
        """Least squares over every train pair, exactly, in O(points)."""
        regressor = every_pair_least_squares(pairs, self.settings.degree, label)
        return [SklearnPairModel(regressor, *pairs.scalers)] * len(seeds)

    def fit_scaled(self, X, y, scalers, seeds, label):
        warn_if_rank_deficient(X, self.settings.degree, label)
        model = SklearnPairModel(poly_pipeline(self.settings.degree).fit(X, y), *scalers)
        return [model] * len(seeds)
