"""``twin``: one network g(ln M, 1/T, Tg) on both points of a pair, ``alpha = -dg/d ln M``
(see :mod:`contrastive_gs.families._twins`)."""

from __future__ import annotations

from typing import ClassVar

from contrastive_gs.families._twins import TwinFamily


class Twin(TwinFamily):
    name: ClassVar[str] = "twin"
    label: ClassVar[str] = "twin"
    description: ClassVar[str] = "one network g(ln M, 1/T, Tg), pair = g_i - g_j"
    structured: ClassVar[bool] = False
