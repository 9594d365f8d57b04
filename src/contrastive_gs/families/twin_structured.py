"""``twin_structured``: ``g = -a(T, Tg) ln(M/M_ref) + b``, two small networks, ``alpha = a``
(see :mod:`contrastive_gs.families._twins`)."""

from __future__ import annotations

from typing import ClassVar

from contrastive_gs.families._twins import TwinFamily


class TwinStructured(TwinFamily):
    name: ClassVar[str] = "twin_structured"
    label: ClassVar[str] = "structured twin"
    description: ClassVar[str] = "g = -a(T, Tg) ln(M/M0) + b: alpha = a"
    structured: ClassVar[bool] = True
