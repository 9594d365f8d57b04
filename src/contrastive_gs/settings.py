"""Settings shared by model families, composed into each family's own settings.

A family's settings are a frozen dataclass whose fields are plain values or other settings
dataclasses; :func:`compose` builds one from the family's flat config section (validated and
completed with defaults by the schema, ``workflow/schemas/config.schema.yaml``: the one place
that holds defaults and allowed values).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

Settings = TypeVar("Settings")


@dataclasses.dataclass(frozen=True)
class NetworkSettings:
    """An MLP: ``n_inputs - width x depth - 1``."""

    width: int  # neurons per hidden layer
    depth: int  # hidden layers
    activation: Literal["relu", "tanh", "silu"]

    def cost(self, epochs: int) -> float:
        """Hidden-layer weights times epochs, in millions: a network's training cost."""
        return self.depth * self.width**2 * epochs / 1e6


@dataclasses.dataclass(frozen=True)
class ScheduleSettings:
    """Full-batch Adam: ``epochs`` steps in all, the last ``final_fraction`` of them at
    ``lr * final_lr_factor`` (a step schedule; a fresh Adam per stage)."""

    epochs: int
    lr: float  # Adam learning rate
    final_fraction: float  # share of the epochs run last, at the lower rate (0: one stage)
    final_lr_factor: float  # learning rate of the final epochs relative to lr
    log_every: int  # epochs between two progress lines in the job log

    def stages(self) -> list[tuple[int, float]]:
        """(epochs, learning rate) of each stage, in order."""
        final_epochs = int(round(self.final_fraction * self.epochs))
        stages = [(self.epochs - final_epochs, self.lr)]
        return stages + ([(final_epochs, self.lr * self.final_lr_factor)] if final_epochs else [])


@dataclasses.dataclass(frozen=True)
class StreamSettings:
    """Training on every pair of a split of the points, where the fold's pair table holds only
    a sample of them: up to ``full_batch_pairs`` train pairs form one full batch; beyond, each
    epoch is one step on ``batch_pairs`` pairs drawn afresh from the points (seeded)."""

    full_batch_pairs: int
    batch_pairs: int


def _is_settings(kind: Any) -> bool:
    return isinstance(kind, type) and dataclasses.is_dataclass(kind)


def _keys(cls: type) -> set[str]:
    hints = typing.get_type_hints(cls)
    keys: set[str] = set()
    for field in dataclasses.fields(cls):
        kind = hints[field.name]
        keys |= _keys(kind) if _is_settings(kind) else {field.name}
    return keys


def compose(cls: type[Settings], section: Mapping[str, Any]) -> Settings:
    """``cls`` from a flat config ``section``: each plain field from its key, each settings
    field composed from the same section.  ValueError for a missing or unused key (the schema
    and the settings disagree: a programming error)."""
    expected = _keys(cls)
    if set(section) != expected:
        raise ValueError(
            f"{cls.__name__}: config keys {sorted(section)} do not match the settings' "
            f"{sorted(expected)}"
        )
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        kind = hints[field.name]
        values[field.name] = (
            compose_part(kind, section) if _is_settings(kind) else section[field.name]
        )
    return cls(**values)


def compose_part(cls: type[Settings], section: Mapping[str, Any]) -> Settings:
    """The part of a flat ``section`` that ``cls`` (a nested settings dataclass) reads."""
    return compose(cls, {key: section[key] for key in _keys(cls)})
