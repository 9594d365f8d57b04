"""Scaling laws of diffusivity: one module per law, registered in :data:`LAWS` by name.

An entry subclasses :class:`Law` (see ``_base.py``); ``law:`` in the config selects it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contrastive_gs.laws._base import (
    ESTIMATED,
    Law,
    Parameter,
    PointModel,
    Values,
    not_identifiable,
)
from contrastive_gs.registry import discover, entry

LAWS: dict[str, type[Law]] = discover(__name__, __path__, Law)


def build_law(name: str, constants: Mapping[str, Any]) -> Law:
    """The law ``name`` with its known ``constants`` (as :meth:`Law.config_constants` gives)."""
    return entry(LAWS, name, "law")(**constants)


def law_from_config(config: Mapping[str, Any]) -> Law:
    """The law of a whole (validated) config, with its known constants."""
    return entry(LAWS, config["law"], "law").from_config(config)


__all__ = [
    "ESTIMATED", "LAWS", "Law", "Parameter", "PointModel", "Values", "build_law",
    "law_from_config", "not_identifiable",
]  # fmt: skip
