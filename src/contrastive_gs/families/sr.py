"""``sr``: symbolic regression on the lecture's pair features, the lecture's "symbolic
regression baseline" done for real (its degree-2 polynomial is one fixed expression; this one
searches the expressions).

Operon (:func:`contrastive_gs.symbolic.search`: genetic programming over ``functions`` with
Levenberg-Marquardt constants, NSGA-II on R2 and length) fits the standardised ``logD_ratio``
of the train pairs as an expression of the standardised ``logM_ratio, invT_diff, Tg_diff``; the
expression is chosen on the Pareto front by the criterion of
:func:`contrastive_gs.symbolic.choose` (highest error drop per node among those within
``(1 + tolerance)`` of the best RMSE).  Each seed is one search (``random_state`` = the seed,
one thread): the same seed gives the same expression.  The fitted model is the expression
itself (sympy text), so loading and predicting need neither Operon nor its tree; its
:meth:`SymbolicPairModel.closed_form` writes it in the unscaled features.  Its alpha is the
slope along ``logM_ratio``, as for every model of pair features.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import numpy as np

from contrastive_gs import symbolic
from contrastive_gs.families._pair_features import (
    PairFeatureFamily,
    PairFeatureModel,
    Standardizer,
)
from contrastive_gs.pairs import FEATURES, TARGET

log = logging.getLogger(__name__)


def _feature_symbols() -> list[Any]:
    import sympy

    return list(sympy.symbols(FEATURES))


class SymbolicPairModel(PairFeatureModel):
    """An expression of the standardised pair features (sympy text, full precision)."""

    def __init__(
        self, expression: str, length: int, x_scaler: Standardizer, y_scaler: Standardizer
    ):
        super().__init__(x_scaler, y_scaler)
        self.expression = expression
        self.length = length

    def _sympy(self):
        import sympy

        return sympy.sympify(self.expression)  # srepr text: exact, symbols by name

    def predict_scaled(self, X_scaled: np.ndarray) -> np.ndarray:
        return symbolic.evaluate(self._sympy(), _feature_symbols(), X_scaled)

    def unscaled(self):
        """The expression of ``logD_ratio`` in the unscaled features (sympy)."""
        symbols = _feature_symbols()
        standardised = {
            symbol: (symbol - mean) / scale
            for symbol, mean, scale in zip(
                symbols, self.x_scaler.mean, self.x_scaler.scale, strict=True
            )
        }
        scaled = self._sympy().xreplace(standardised)
        return float(self.y_scaler.mean[0]) + float(self.y_scaler.scale[0]) * scaled

    def closed_form(self) -> dict[str, Any]:
        text, latex = symbolic.describe(self.unscaled())
        return {"expression": f"{TARGET} = {text}", "latex": latex, "complexity": self.length}


class SymbolicRegression(PairFeatureFamily):
    name: ClassVar[str] = "sr"
    label: ClassVar[str] = "SR"
    description: ClassVar[str] = "symbolic regression (Operon) on the pair features"
    settings_type: ClassVar[type] = symbolic.SearchSettings
    hyper_keys: ClassVar[tuple[str, ...]] = ("max_length",)
    has_closed_form: ClassVar[bool] = True

    def cost(self) -> float:
        return self.settings.cost()

    def fit_scaled(self, X, y, scalers, seeds, label):
        import sympy

        symbols = _feature_symbols()
        models = []
        for seed in seeds:
            found = symbolic.search(X, y, symbols, self.settings, seed)
            chosen = found.chosen
            model = SymbolicPairModel(sympy.srepr(chosen.expression), chosen.length, *scalers)
            log.info(
                "%s seed=%d: length %d of %d on the front, RMSE %.4g (standardised): %s",
                label, seed, chosen.length, found.front_size, chosen.rmse,
                model.closed_form()["expression"],
            )  # fmt: skip
            models.append(model)
        return models
