"""The blob law of homologous series: N from M, only pairs at one temperature inform alpha, and
known answers from pairs alone (the reference D1(T) unknown to the fits)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import fit_one, make_family

from contrastive_gs import data, recovery
from contrastive_gs.families import kernel
from contrastive_gs.laws import LAWS, blob
from contrastive_gs.pairs import PairSettings, make_pairs
from contrastive_gs.polymers import Polymer
from contrastive_gs.splits.points import PointSplit

LAW = blob.BlobLaw(M_blob=14.027, M_anchor=2.016, D0=1e-9, E=40000.0)
LDPE = Polymer("LDPE", 148.15, 0.5)


def simulated(noise: float = 0.0) -> pd.DataFrame:
    """n-alkanes C6..C20 in LDPE at 8 temperatures, D1(T) Arrhenius (40 kJ/mol)."""
    n = np.arange(6, 21, 2)
    settings = data.SimulationSettings(
        law=LAW, values={"Ka": 140.0, "Kb": 40.0}, noise=noise, noise_seed=2,
        M=14.027 * n + 2.016, T_C=np.linspace(23, 100, 8), polymers=(LDPE,),
    )  # fmt: skip
    return data.simulate(settings)


def test_registered_and_N_of_the_series():
    assert LAWS["blob"] is blob.BlobLaw
    points = simulated()
    np.testing.assert_allclose(np.exp(LAW.alpha_covariate(points)).round(9) % 2, 0)  # even n
    assert LAW.allowed_b_inputs == ("T_Tg",)
    own = points.assign(M_blob=28.054, M_anchor=2.016)  # per-row masses win: N halves
    np.testing.assert_allclose(LAW.blobs(own), LAW.blobs(points) / 2)
    assert LAW.check_points(points.assign(M=10.0)).str.contains("N = ").all()


def test_only_isotherms_inform():
    """Pairs at one polymer and temperature are informative; without two molar masses at a
    temperature nothing is identifiable."""
    points = simulated()
    i, j = np.array([0, 0]), np.array([8, 1])  # same M other T, other M same T
    np.testing.assert_array_equal(
        LAW.informative_pairs(points, i, j),
        (points["T"].to_numpy()[i] == points["T"].to_numpy()[j]),
    )
    assert LAW.estimated(points) == ("Ka", "Kb")
    one_per_T = points.groupby("T").head(1)
    assert "D1(T) absorbs every pair" in LAW.identifiability(one_per_T)["Ka"]


def test_kernel_recovers_Ka_Kb_from_isotherm_pairs():
    """Noise-free: Ka and Kb within 0.1 % from the train pairs (the informative ones)."""
    points = simulated()
    pairs = make_pairs(points, PairSettings("within", None, 0), PointSplit(0.2, 0))
    fitted = kernel.fit_kernel(points, pairs[pairs["split"] == "train"], LAW)
    assert fitted.fitted == ("Ka", "Kb")
    assert fitted.values["Ka"] == pytest.approx(140.0, rel=1e-3)
    assert fitted.values["Kb"] == pytest.approx(40.0, rel=1e-3)


def test_structured_twin_recovers_Ka_Kb(one_torch_thread):
    """Noise-free: the structured twin with b(T, Tg) (D1 unknown) gives alpha = a(T, Tg)
    whose law is Ka within 0.25 % and Kb within 1 %.  One series of 8 molar masses at 8
    temperatures pins Kb less than the lecture's grid does: over seeds 0-4, Ka came within
    0.02-0.09 % and Kb within 0.13-0.62 % (and the last digits of a seed's trajectory differ
    between processors: 0.1 % on Kb held for seed 0 at lr 0.02 on one machine, not another)."""
    points = simulated()
    pairs = make_pairs(points, PairSettings("within", None, 0), PointSplit(0.2, 0))
    family = make_family("twin_structured", b_inputs="T_Tg", epochs=4000, lr=0.01)
    family = type(family)(family.settings, LAW)
    result = fit_one(family, points, pairs, 0)
    law = recovery.fit_scaling_law(points, result.model.alpha(points), LAW)
    assert law.fitted == ("Ka", "Kb")
    assert law.estimates["Ka"] == pytest.approx(140.0, rel=2.5e-3)
    assert law.estimates["Kb"] == pytest.approx(40.0, rel=1e-2)
