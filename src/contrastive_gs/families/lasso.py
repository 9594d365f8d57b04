"""``lasso``: the lecture's suggested sparse baseline, Lasso on the polynomial features of the
pair features, its penalty chosen by cross-validation on the train pairs.

The polynomial terms (all up to ``degree``) are standardised before the penalty so that it
weighs them alike; scikit-learn's ``LassoCV`` picks the penalty on a path of
``n_penalties`` values by ``cv_folds``-fold cross-validation over shuffled train pairs (seeded:
one fit serves every seed).  Its alpha (the scaling exponent) is the slope along
``logM_ratio``, as for ``poly``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from contrastive_gs.families._pair_features import PairFeatureFamily
from contrastive_gs.families.poly import SklearnPairModel

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


class Lasso(PairFeatureFamily):
    name: ClassVar[str] = "lasso"
    label: ClassVar[str] = "lasso"
    description: ClassVar[str] = "Lasso on the polynomial pair features, penalty by CV"
    settings_type: ClassVar[type] = LassoSettings
    hyper_keys: ClassVar[tuple[str, ...]] = ("degree",)

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
