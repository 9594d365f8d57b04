"""Benchmark: predictions of D at held-out points, and the calibration of their bands.

The lecture's grid (PP and HDPE, 7 M x 7 T), ``k_fold`` with k = 3 (a third of every polymer's
points held out in each fold), predictions anchored on the train points of the same polymer, the
workflow's own functions (:mod:`contrastive_gs.prediction`), one core:

1. noise-free: the structured twin's predicted D at every held-out point against the truth;
2. sigma 0.05 on ln D: the nominal 90 % band of the true D, from the structured twin with
   ``bagging`` (10 seeds, each a bootstrap draw of the train points) and from the kernel's
   bootstrap (200 draws), and how often it covers the true D; and the nominal 90 % conformal band
   of a measurement, and how often it covers a fresh measurement (a new noise draw at the
   held-out points); the kernel's coverage of the true D also over 10 noise draws (one draw's
   coverage is noisy: the errors of a fold's points share one fit).

    python bench/prediction.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from contrastive_gs import config, data, fit, prediction, training
from contrastive_gs.families import family_from_config
from contrastive_gs.pairs import PairSettings, fold_plans, fold_sides, select_group, select_points
from contrastive_gs.polymers import Polymer
from contrastive_gs.splits.k_fold import KFoldSplit

DEFAULTS = config.default_config()
LAW = config.law_of(DEFAULTS)
POLYMERS = (Polymer("PP", 273.0), Polymer("HDPE", 173.0))
GROUPS = ("pooled", "PP", "HDPE")


def points(noise: float, noise_seed: int) -> pd.DataFrame:
    settings = data.SimulationSettings(
        law=LAW, values={"Ka": 140.0, "Kb": 40.0}, noise=noise, noise_seed=noise_seed,
        M=np.linspace(40, 500, 7), T_C=np.linspace(23, 100, 7), polymers=POLYMERS,
    )  # fmt: skip
    return data.simulate(settings)


def held_out(table: pd.DataFrame, name: str, group: str, seeds, **changes) -> pd.DataFrame:
    """The held-out table of a 3-fold cross-validation of one family and group."""
    family = family_from_config(name, {**DEFAULTS[name], **changes}, LAW)
    settings, split = PairSettings("within", None, 0), KFoldSplit(k=3, split_seed=0)
    frames = []
    folds = zip(fold_plans(table, settings, split), fold_sides(table, "within", split), strict=True)
    for fold, (plan, side) in enumerate(folds):
        pairs = select_group(plan.build(0, plan.n_pairs), group)
        of = select_points(table, group).index.to_numpy()
        for seed, result in zip(
            seeds, fit.fit_group(family, table, pairs, list(seeds)), strict=True
        ):
            predicted = prediction.point_predictions(
                result.model, table.iloc[of].reset_index(drop=True), side[of], seed,
                family.resamples, rows=of,
            )  # fmt: skip
            frames.append(predicted.assign(point=of[predicted["point"]], fold=fold, seed=seed))
    return prediction.held_out_table(pd.concat(frames, ignore_index=True))


def main() -> None:
    training.set_torch_threads(1)
    rows = []
    start = time.perf_counter()
    clean = points(0.0, 0)
    worst = 0.0
    for group in GROUPS:
        table = held_out(clean, "twin_structured", group, [0])
        relative = np.abs(np.exp(table["logD_pred"] - table["logD_true"]) - 1.0) * 100
        worst = max(worst, relative.max())
        rows.append(("noise-free", "twin_structured", group, len(table), relative.max(),
                     relative.mean(), np.nan, np.nan, np.nan))  # fmt: skip
    noisy = points(0.05, 5)
    fresh = noisy["logD_true"] + np.random.default_rng(99).normal(0, 0.05, len(noisy))
    coverage = {}
    for name, seeds, changes in (
        ("twin_structured", range(10), {"bagging": True}),
        ("kernel", [0], {"bootstrap": 200}),
    ):
        for group in GROUPS:
            table = held_out(noisy, name, group, seeds, **changes)
            summary = prediction.cross_validation_summary(table)
            new = fresh.to_numpy()[table["point"].to_numpy()]
            fresh_error = np.abs(table["logD_pred"] - new) / np.log(10)
            fresh_cover = float((fresh_error <= table["half_width_log10"]).mean())
            relative = np.abs(np.exp(table["logD_pred"] - table["logD_true"]) - 1.0) * 100
            coverage[name, group] = (summary["ci_coverage_of_truth"], fresh_cover)
            rows.append(("sigma 0.05", name, group, len(table), relative.max(), relative.mean(),
                         summary["ci_coverage_of_truth"], summary["ci_half_width_log10"],
                         fresh_cover))  # fmt: skip
    kernel_draws = [
        prediction.cross_validation_summary(
            held_out(points(0.05, seed), "kernel", "pooled", [0], bootstrap=200)
        )["ci_coverage_of_truth"]
        for seed in range(1, 11)
    ]
    table = pd.DataFrame(
        rows,
        columns=["data", "model", "group", "held out", "max |D err| %", "mean |D err| %",
                 "90% band of true D: coverage", "its half-width (log10)",
                 "90% band of a measurement: coverage of a fresh one"],
    )  # fmt: skip
    with pd.option_context("display.width", 200, "display.float_format", "{:.4g}".format):
        print(table.to_string(index=False))
    print(f"kernel, pooled, 10 noise draws: coverage of the true D {np.mean(kernel_draws):.3f} "
          f"(min {min(kernel_draws):.3f}, max {max(kernel_draws):.3f})")  # fmt: skip
    twin = [coverage["twin_structured", g][0] for g in GROUPS]
    conformal = [coverage[key][1] for key in coverage]
    print(f"# {time.perf_counter() - start:.0f} s")
    print(
        f"RESULT max_D_error_pct={worst:.3f} twin_true_D_coverage={min(twin):.3f}-{max(twin):.3f} "
        f"kernel_true_D_coverage_mean={np.mean(kernel_draws):.3f} "
        f"conformal_fresh_coverage={min(conformal):.3f}-{max(conformal):.3f}"
    )


if __name__ == "__main__":
    main()
