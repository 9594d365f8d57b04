"""``poly``: the lecture's polynomial regression on the pair features (all terms up to
``degree``, least squares).  Deterministic: one fit serves every seed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from contrastive_gs.families._pair_features import PairFeatureFamily, PairFeatureModel

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
    rank, n_terms = poly_design_rank(X, degree)
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


class Poly(PairFeatureFamily):
    name: ClassVar[str] = "poly"
    label: ClassVar[str] = "poly"
    description: ClassVar[str] = "the lecture's polynomial regression on the pair features"
    settings_type: ClassVar[type] = PolySettings
    hyper_keys: ClassVar[tuple[str, ...]] = ("degree",)

    def fit_scaled(self, X, y, scalers, seeds, label):
        warn_if_rank_deficient(X, self.settings.degree, label)
        model = SklearnPairModel(poly_pipeline(self.settings.degree).fit(X, y), *scalers)
        return [model] * len(seeds)
