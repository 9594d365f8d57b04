"""Helpers of the unit tests: model families with the default settings, changed as asked."""

from __future__ import annotations

import functools

from contrastive_gs import config
from contrastive_gs.families import Family, family_from_config


@functools.cache
def _defaults() -> dict:
    return config.default_config()


def make_family(name: str, **changes) -> Family:
    """The family ``name`` with its default config section (the lecture's), ``changes``
    applied, and the lecture's law (M0 = 100 g/mol)."""
    defaults = _defaults()
    return family_from_config(name, {**defaults[name], **changes}, config.law_of(defaults))


def fit_one(name_or_family, points, pairs, seed: int = 0, label: str = "", **changes):
    """:func:`contrastive_gs.fit.fit_group` of one seed."""
    from contrastive_gs import fit

    family = name_or_family
    if isinstance(name_or_family, str):
        family = make_family(name_or_family, **changes)
    return fit.fit_group(family, points, pairs, [seed], label)[0]
