"""Train/test splits: one module per split, registered in :data:`SPLITS` by name
(``pairs.split`` in the config selects one).  See ``_base.py`` for what an entry declares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contrastive_gs.registry import discover, entry
from contrastive_gs.splits._base import Fold, Split

SPLITS: dict[str, type[Split]] = discover(__name__, __path__, Split)


def split_from_config(section: Mapping[str, Any]) -> Split:
    """The split named by ``section["split"]`` (the ``pairs`` config section), with its settings."""
    return entry(SPLITS, section["split"], "split").from_config(section)


__all__ = ["SPLITS", "Fold", "Split", "split_from_config"]
