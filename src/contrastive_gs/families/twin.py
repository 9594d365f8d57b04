"""``twin``: one network g(ln M, 1/T, Tg) on both points of a pair, ``alpha = -dg/d ln M``
(see :mod:`contrastive_gs.families._twins`)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from contrastive_gs.families._twins import TwinFamily
from contrastive_gs.laws import not_identifiable


class Twin(TwinFamily):
    name: ClassVar[str] = "twin"
    label: ClassVar[str] = "twin"
    description: ClassVar[str] = "one network g(ln M, 1/T, Tg), pair = g_i - g_j"
    structured: ClassVar[bool] = False

    def identifiability(self, points):
        """alpha = -dg/du needs u (what multiplies alpha: ln M for the lecture) to vary within a
        polymer; then the law's statuses."""
        u = self.law.alpha_covariate(points)
        varies = any(
            np.ptp(u[(points["Polymer"] == p).to_numpy()]) > 0 for p in set(points["Polymer"])
        )
        if varies:
            return super().identifiability(points)
        reason = not_identifiable("u (what multiplies alpha) is constant within each polymer")
        return dict.fromkeys(("alpha", *self.law.parameter_names()), reason)
