"""Benchmark of the reference sweep, run as a user would, against bare training.

The sweep (config/sweep.yaml): Ka {100, 140, 180} x Kb {30, 40, 50} x NN width {8, 32, 128} x
5 seeds x groups {pooled, PP, HDPE} = 405 network fits, plus the polynomial fits, per-fit figures
at the reference point, aggregation and sweep figures: `snakemake --cores 2` in a scratch copy.

Figures:
- wall_s: wall time of that run, every rule included;
- ref_s: the same 405 network fits trained with the lecture's plain loop (full-batch Adam, 500
  epochs) in one bare process with one torch thread, no Snakemake, no I/O, divided by 2 cores;
- ratio = wall_s / ref_s (target <= 1.5);
- noop_s: a second, no-op `snakemake` on the completed sweep (target < 5 s);
- naive_wall_s: the same sweep with one job per fit (`batch: fit`), for comparison.

    python bench/sweep.py [--skip-naive]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_CODE = r"""
import itertools, sys, time
import numpy as np, torch, yaml
from contrastive_gs import config as cgs_config, data, pairs
from contrastive_gs.models import MLPSettings, build_mlp

torch.set_num_threads(1)
config = yaml.safe_load(open(sys.argv[1]))
config = {**config, **yaml.safe_load(open(sys.argv[2]))}
polymers = cgs_config.resolve_polymers(config["data"]["polymers"])
pair_settings = pairs.PairSettings(**config["pairs"])
fits, seconds = 0, 0.0
for scenario in cgs_config.scenario_table(config):
    settings = data.settings_from_params({**config["data"], **scenario}, polymers)
    table = pairs.make_pairs(data.simulate(settings), pair_settings)
    for width in config["sweep"]["nn"]["width"]:
        for group in config["groups"]:
            rows = pairs.select_group(table, group)
            rows = rows[rows["split"] == "train"]
            X = rows[pairs.FEATURES].to_numpy()
            y = rows[[pairs.TARGET]].to_numpy()
            X = (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1)
            y = (y - y.mean(0)) / y.std(0)
            X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
            for seed in config["seeds"]:
                start = time.perf_counter()
                torch.manual_seed(seed)
                model = build_mlp(3, MLPSettings(width=width))
                optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
                loss_fn = torch.nn.MSELoss()
                for epoch in range(500):
                    model.train()
                    optimizer.zero_grad()
                    loss = loss_fn(model(X), y)
                    loss.backward()
                    optimizer.step()
                seconds += time.perf_counter() - start
                fits += 1
print(fits, seconds)
"""


def snakemake(directory: Path, *args: str) -> float:
    """Wall time (s) of `snakemake --cores 2 ARGS` in a project directory; raises on failure."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"),
               "--directory", str(directory), "--cores", "2", "--configfile",
               "config/sweep.yaml", "--quiet", "all", *args]  # fmt: skip
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"snakemake failed in {directory}:\n{result.stderr[-3000:]}")
    return elapsed


def project_copy(parent: Path, name: str) -> Path:
    """A scratch project directory with the default and the sweep config."""
    directory = parent / name
    (directory / "config").mkdir(parents=True)
    shutil.copy(ROOT / "config.yaml", directory / "config.yaml")
    shutil.copy(ROOT / "config" / "sweep.yaml", directory / "config" / "sweep.yaml")
    return directory


def reference_seconds(directory: Path) -> tuple[int, float]:
    """(fits, seconds) of the bare lecture loop over the sweep's network fits, one thread."""
    result = subprocess.run(
        [sys.executable, "-c", REFERENCE_CODE, str(directory / "config.yaml"),
         str(directory / "config" / "sweep.yaml")],  # fmt: skip
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    fits, seconds = result.stdout.split()
    return int(fits), float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-naive", action="store_true", help="skip the one-job-per-fit run")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="cgs-sweep-") as scratch:
        scratch = Path(scratch)
        batched = project_copy(scratch, "batched")
        wall_s = snakemake(batched)
        rows.append(("workflow, batch: point (--cores 2)", wall_s))
        noop_s = snakemake(batched)
        rows.append(("second, no-op run", noop_s))
        fits, train_s = reference_seconds(batched)
        ref_s = train_s / 2
        rows.append((f"bare lecture loop, {fits} fits, 1 thread", train_s))
        rows.append(("ref_s = bare loop / 2 cores", ref_s))
        naive_wall_s = float("nan")
        if not args.skip_naive:
            naive_wall_s = snakemake(project_copy(scratch, "naive"), "--config", "batch=fit")
            rows.append(("workflow, batch: fit (one job per fit)", naive_wall_s))
    ratio = wall_s / ref_s
    rows.append(("ratio = wall_s / ref_s (target <= 1.5)", ratio))
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  {'value':>10}")
    print(f"{'-' * width}  {'-' * 10}")
    for name, value in rows:
        print(f"{name:<{width}}  {value:>10.2f}")
    print(
        f"RESULT wall_s={wall_s:.1f} ref_s={ref_s:.1f} ratio={ratio:.2f} noop_s={noop_s:.1f} "
        f"naive_wall_s={naive_wall_s:.1f}"
    )


if __name__ == "__main__":
    main()
