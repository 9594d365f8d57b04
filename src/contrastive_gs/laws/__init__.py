"""Scaling laws of diffusivity: one module per law, registered in :data:`LAWS` by name.

An entry subclasses :class:`Law` (see ``_base.py``); ``law:`` in the config selects it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contrastive_gs.laws._base import Law, Parameter, PointModel, Values
from contrastive_gs.registry import discover, entry

LAWS: dict[str, type[Law]] = discover(__name__, __path__, Law)


def law_from_config(name: str, data: Mapping[str, Any]) -> Law:
    """The law ``name`` with its known constants from the ``data`` section of the config."""
    return entry(LAWS, name, "law").from_config(data)


__all__ = ["LAWS", "Law", "Parameter", "PointModel", "Values", "law_from_config"]
