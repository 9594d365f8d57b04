"""Model families: one module per family, registered in :data:`FAMILIES` by name (the
``models:`` list of the config).  See ``_base.py`` for what an entry declares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contrastive_gs.families._base import Family, FittedModel, NotIdentifiable
from contrastive_gs.laws import Law
from contrastive_gs.registry import discover, entry

FAMILIES: dict[str, type[Family]] = discover(__name__, __path__, Family)


def family(name: str) -> type[Family]:
    """The family ``name``; KeyError naming the known ones otherwise."""
    return entry(FAMILIES, name, "model family")


def family_from_config(name: str, section: Mapping[str, Any], law: Law) -> Family:
    """The family ``name`` with its settings from its config section."""
    return family(name).from_config(section, law)


__all__ = ["FAMILIES", "Family", "FittedModel", "NotIdentifiable", "family", "family_from_config"]
