"""``nn``: the lecture's MLP on the pair features (3-32-32-1 ReLU, full-batch Adam, float32).

The networks of all seeds train together (:func:`contrastive_gs.training.fit_mlps`); each seed's
result depends on its seed only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from contrastive_gs import training
from contrastive_gs.families._pair_features import (
    PairFeatureFamily,
    PairFeatureModel,
    Standardizer,
)
from contrastive_gs.pairs import FEATURES
from contrastive_gs.settings import NetworkSettings, ScheduleSettings, StreamSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MLPSettings:
    """The ``nn`` section of the config."""

    network: NetworkSettings
    schedule: ScheduleSettings
    stream: StreamSettings


class MLPModel(PairFeatureModel):
    """A trained MLP of the standardised pair features."""

    def __init__(self, network, x_scaler: Standardizer, y_scaler: Standardizer):
        super().__init__(x_scaler, y_scaler)
        self.network = network  # torch.nn.Sequential, float32, eval mode

    def predict_scaled(self, X_scaled: np.ndarray) -> np.ndarray:
        return training.predict_mlp(self.network, X_scaled)


class NN(PairFeatureFamily):
    name: ClassVar[str] = "nn"
    label: ClassVar[str] = "NN"
    description: ClassVar[str] = "the lecture's MLP on logM_ratio, invT_diff, Tg_diff"
    settings_type: ClassVar[type] = MLPSettings
    hyper_keys: ClassVar[tuple[str, ...]] = ("width", "depth")
    uses_torch: ClassVar[bool] = True
    builds_pairs_from_points: ClassVar[bool] = True

    def cost(self) -> float:
        return self.settings.network.cost(self.settings.schedule.epochs)

    @classmethod
    def describe(cls, hyper: Mapping[str, Any]) -> str:
        """As the lecture names it: ``NN 3-32-32-1``."""
        if {"width", "depth"} <= hyper.keys():
            layers = [str(int(hyper["width"]))] * int(hyper["depth"])
            return f"{cls.label} {len(FEATURES)}-{'-'.join(layers)}-1"
        return super().describe(hyper)

    def fit_every_pair(self, pairs, seeds, label):
        """One full batch of every train pair where they number at most
        ``full_batch_pairs``; beyond, each epoch one step on ``batch_pairs`` pairs drawn afresh
        from the points for each seed: memory O(points + batch), whatever the pairs."""
        stream, n_pairs = self.settings.stream, pairs.blocks.n_pairs
        if n_pairs <= stream.full_batch_pairs:
            log.info("%s: one full batch of all %d train pairs", label, n_pairs)
            return super().fit_every_pair(pairs, seeds, label)
        log.info("%s: each epoch %d of the %d train pairs, drawn from %d points", label,
                 stream.batch_pairs, n_pairs, len(pairs.blocks.points))  # fmt: skip
        networks = training.fit_mlps_streamed(
            lambda seed: pairs.batches(stream.batch_pairs, seed),
            len(FEATURES), self.settings.network, self.settings.schedule, seeds, label,
        )  # fmt: skip
        return [MLPModel(network, *pairs.scalers) for network in networks]

    def fit_scaled(self, X, y, scalers, seeds, label):
        networks = training.fit_mlps(
            X, y, self.settings.network, self.settings.schedule, seeds, label
        )
        return [MLPModel(network, *scalers) for network in networks]
