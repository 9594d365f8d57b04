"""Benchmark: training on every pair in O(points), as the grid grows.

The structured twin and the kernel fit, trained on all pairs of the train points (split by
points, test share 0.2, pairs within each polymer, no ``max_pairs``) of the lecture's law on
grids of 7^2, 30^2, 100^2 and 300^2 points per polymer (2 polymers, PP and HDPE; noise-free),
each fit in a fresh process on one thread: wall time of the fit (training and the metrics over
all train and test pairs), peak memory (RSS of the process), training time per epoch per point,
test R2 over all test pairs, and the relative error of Ka and Kb (the kernel's own, the twin's
from the law fitted to its alpha).  ``slope``: the exponent b of wall time ~ points^b of the
structured twin over the grids from 30^2 up.

The models of the lecture's pair features on the same pairs: ``nn`` streamed (where the train
pairs outnumber ``nn.full_batch_pairs``, each epoch is one step on ``nn.batch_pairs`` pairs
drawn from the points), ``poly`` by least squares and ``lasso`` (penalty by cross-validation
over folds of the points) over every train pair from sums over the points; their wall time,
peak memory (and nn's time per epoch), and R2 on a seeded sample of 4000 test pairs (a model of
pair features is measured on a sample).  Their alpha is one value for all T, so they have no Ka
or Kb.

    python bench/scale.py                  # every grid (about 10 minutes on 2 cores)
    python bench/scale.py --grids 7 30     # a subset
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
GRIDS = (7, 30, 100, 300)
MODELS = ("twin_structured", "kernel")  # the RESULT's times and memory
STREAMED = "nn"
PAIR_FEATURE_MODELS = (STREAMED, "poly", "lasso")  # measured beside, not in the RESULT's times
TRUTH = {"Ka": 140.0, "Kb": 40.0}


def lecture_points(grid: int):
    """Points, pair settings and split of the lecture on a grid x grid per polymer."""
    from contrastive_gs import config, data, pairs
    from contrastive_gs.splits import split_from_config

    lecture = yaml.safe_load((ROOT / "config.yaml").read_text())
    lecture["data"]["M"]["num"] = lecture["data"]["T_C"]["num"] = grid
    lecture["pairs"]["split"] = "points"
    polymers = config.validate_config(
        lecture, config.load_schema(ROOT / "workflow/schemas/config.schema.yaml")
    )
    law = config.law_of(lecture)
    points = data.simulate(data.settings_from_params(lecture["data"], polymers, law))
    settings = config.pair_settings(lecture["pairs"])
    split = split_from_config(lecture["pairs"])
    assert pairs.all_pairs_split(settings, split)
    return copy.deepcopy(lecture), points, settings, split


def measure(grid: int, model: str) -> dict:
    """One fit on every pair of the grid, in this process; its figures."""
    from contrastive_gs import allpairs, config, fit, pairs, recovery, training
    from contrastive_gs.families import family_from_config

    lecture, points, settings, split = lecture_points(grid)
    law = config.law_of(lecture)
    family = family_from_config(model, lecture[model], law)
    if family.uses_torch:
        training.set_torch_threads(1)
    sides = pairs.fold_sides(points, settings.scope, split)[0]
    blocks = allpairs.group_block_pairs(points, sides, settings.scope, pairs.POOLED)
    drawn = {side: blocks[side].sample(4000, seed=0) for side in pairs.SIDES}  # per-pair files
    table = pairs.pair_table(
        points,
        np.concatenate([drawn[side][0] for side in pairs.SIDES]),
        np.concatenate([drawn[side][1] for side in pairs.SIDES]),
        np.repeat([False, True], [len(drawn[side][0]) for side in pairs.SIDES]),
        list(points["Polymer"].unique()),
    )
    start = time.perf_counter()
    [result] = fit.fit_group(family, points, table, [0], f"{model} {grid}^2", blocks)
    wall = time.perf_counter() - start
    if hasattr(result.model, "law_fit"):
        estimates = result.model.law_fit()["estimates"]
    elif model in PAIR_FEATURE_MODELS:
        estimates = dict.fromkeys(TRUTH, np.nan)  # one alpha for all T: no law
    else:
        alpha = result.model.alpha(points)
        estimates = recovery.fit_scaling_law(points, alpha, law).estimates
    epochs = family.settings.schedule.epochs if family.uses_torch else None
    return {
        "grid": f"{grid}^2",
        "model": model,
        "points": len(points),
        "train pairs": blocks["train"].n_pairs,
        "wall s": wall,
        "peak MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "us/epoch/point": wall / epochs / len(points) * 1e6 if epochs else np.nan,
        "ms/epoch": wall / epochs * 1e3 if epochs else np.nan,
        "R2 test": result.metrics["test"]["r2"],
        **{f"{name} err %": abs(estimates[name] / TRUTH[name] - 1) * 100 for name in TRUTH},
    }


def run_one(grid: int, model: str) -> dict:
    """:func:`measure` in a fresh process (its own peak memory)."""
    command = [sys.executable, __file__, "--one", str(grid), model]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, nargs="+", default=list(GRIDS))
    parser.add_argument("--one", nargs=2, metavar=("GRID", "MODEL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(int(args.one[0]), args.one[1])))
        return
    rows = []
    for grid in args.grids:
        for model in (*MODELS, *PAIR_FEATURE_MODELS):
            rows.append(run_one(grid, model))
            print(json.dumps(rows[-1]), flush=True)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.float_format", "{:.4g}".format):
        print(table.to_string(index=False))
    twin = table[(table["model"] == "twin_structured") & (table["points"] >= 2 * 30**2)]
    slope = (
        np.polyfit(np.log(twin["points"]), np.log(twin["wall s"]), 1)[0]
        if len(twin) > 1
        else np.nan
    )

    def of_grid(grid: int, column: str, models=MODELS) -> float:
        rows = table[(table["grid"] == f"{grid}^2") & table["model"].isin(models)]
        return (
            float(rows[column].sum() if column == "wall s" else rows[column].max())
            if len(rows)
            else np.nan
        )

    print(
        f"RESULT t100_s={of_grid(100, 'wall s'):.1f} mem100_mb={of_grid(100, 'peak MB'):.0f} "
        f"t300_s={of_grid(300, 'wall s'):.1f} mem300_mb={of_grid(300, 'peak MB'):.0f} "
        f"slope={slope:.3f} nn100_ms_per_epoch={of_grid(100, 'ms/epoch', [STREAMED]):.1f} "
        f"nn100_mb={of_grid(100, 'peak MB', [STREAMED]):.0f} "
        f"lasso300_s={of_grid(300, 'wall s', ['lasso']):.1f} "
        f"lasso300_mb={of_grid(300, 'peak MB', ['lasso']):.0f}"
    )


if __name__ == "__main__":
    main()
