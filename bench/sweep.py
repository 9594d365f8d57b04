"""Benchmark of the reference sweep, run as a user would, against bare training.

The sweep (config/sweep.yaml): Ka {100, 140, 180} x Kb {30, 40, 50} x NN width {8, 32, 128} x
5 seeds x groups {pooled, PP, HDPE} = 405 network fits, plus the polynomial fits, per-fit figures
at the reference point, aggregation and sweep figures: `snakemake --cores 2` in a scratch copy.

Figures:
- wall_s: wall time of that run, every rule included;
- ref_s: the same 405 network fits trained with the lecture's plain loop (full-batch Adam, 500
  epochs) in one bare process with one torch thread, no Snakemake, no I/O, divided by 2 cores;
- ratio = wall_s / ref_s (target <= 1.5);
- own_s: the same 405 fits trained bare by the workflow's own trainer
  (``contrastive_gs.training.fit_mlps``: seeds of narrow networks as one batched ensemble), one
  thread, divided by 2 cores; ratio_own = wall_s / own_s (target <= 1.3): what the workflow
  costs beyond its own fits.  The bare training runs just before the workflow run and again just
  after it, and own_s is the mean of the two: this machine's speed drifts by 10-20 % over the
  minutes of a benchmark (a shared host), and a drift that is steady over the run cancels;
- own2_s: the same bare fits in 2 processes at once, one thread each (the longest of their
  training times): the 2-core time as the machine gives it, where two busy cores slow each
  other; ratio_own2 = wall_s / own2_s;
- fits_s: the training time of the workflow's own fits, read from their job logs (the last
  epoch's elapsed time of every stage), divided by 2 cores; ratio_fits = wall_s / fits_s.  Both
  come from the same run, so a machine whose speed drifts between the runs above (a shared
  one) cannot move this ratio;
- noop_s: a second, no-op `snakemake` on the completed sweep (target < 5 s);
- cold_wall_s: the same sweep with `warm_worker: false` (every job imports its libraries
  itself); warm_gain = cold_wall_s / wall_s;
- naive_wall_s: the same sweep with one job per fit (`batch: fit`), for comparison.

The workflow runs are as a user runs them, with the warm worker (contrastive_gs.warm_worker).

    python bench/sweep.py [--skip-naive] [--skip-bare] [--skip-cold]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from scratch_workflow import project_copy, run_snakemake  # bench/, on sys.path when run

SWEEP_CONFIG = "config/sweep.yaml"
REFERENCE_CODE = r"""
import sys, time
import numpy as np, torch, yaml
from contrastive_gs import config as cgs_config, data, pairs
from contrastive_gs.settings import NetworkSettings, ScheduleSettings
from contrastive_gs.splits import split_from_config
from contrastive_gs.training import build_mlp, fit_mlps

torch.set_num_threads(1)
trainer = sys.argv[3]  # lecture: the lecture's loop, one seed at a time; ours: training.fit_mlps
part, parts = int(sys.argv[4]), int(sys.argv[5])  # this process trains every parts-th task
config = yaml.safe_load(open(sys.argv[1]))
config = {**config, **yaml.safe_load(open(sys.argv[2]))}
cgs_config.check_schema(config, cgs_config.load_schema())
polymers = cgs_config.resolve_polymers(config["data"]["polymers"])
law = cgs_config.law_of(config)
pair_settings = cgs_config.pair_settings(config["pairs"])
split = split_from_config(config["pairs"])
schedule = ScheduleSettings(500, 0.01, 0.0, 1.0, 10**9)


def lecture_loop(X, y, width, seed):
    torch.manual_seed(seed)
    model = build_mlp(3, NetworkSettings(width, 2, "relu"))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    for epoch in range(500):
        model.train()
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()


tasks = []  # (width, X, y) of every (scenario, width, group), its data made before any training
for scenario in cgs_config.scenario_table(config):
    settings = data.settings_from_params({**config["data"], **scenario}, polymers, law)
    table = pairs.make_pairs(data.simulate(settings), pair_settings, split)
    for width in config["sweep"]["nn"]["width"]:
        for group in config["groups"]:
            rows = pairs.select_group(table, group)
            rows = rows[rows["split"] == "train"]
            X = rows[pairs.FEATURES].to_numpy()
            y = rows[[pairs.TARGET]].to_numpy()
            X = (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1)
            y = (y - y.mean(0)) / y.std(0)
            tasks.append((width, X, y))
# Widest first, dealt in turn: the processes' shares cost alike.
tasks = sorted(tasks, key=lambda task: -task[0])[part::parts]
fits, seconds = 0, 0.0
for width, X, y in tasks:
    start = time.perf_counter()
    if trainer == "ours":
        fit_mlps(X, y.ravel(), NetworkSettings(width, 2, "relu"), schedule, config["seeds"])
    else:
        X_t = torch.tensor(X, dtype=torch.float32)
        y_t = torch.tensor(y, dtype=torch.float32)
        for seed in config["seeds"]:
            lecture_loop(X_t, y_t, width, seed)
    seconds += time.perf_counter() - start
    fits += len(config["seeds"])
print(fits, seconds)
"""


def training_seconds(directory: Path, trainer: str, parts: int = 1) -> tuple[int, float]:
    """(fits, seconds) of training the sweep's networks bare, one thread per process: ``trainer``
    "lecture" (the lecture's loop, the reference) or "ours" (contrastive_gs.training.fit_mlps).
    With ``parts`` processes at once, each training its share of the fits: the longest of their
    training times (their data are made before any of them trains)."""
    command = [sys.executable, "-c", REFERENCE_CODE, str(directory / "config.yaml"),
               str(directory / SWEEP_CONFIG), trainer]  # fmt: skip
    processes = [
        subprocess.Popen(command + [str(part), str(parts)], stdout=subprocess.PIPE, text=True)
        for part in range(parts)
    ]
    results = []
    for process in processes:
        stdout, _ = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"bare training ({trainer}) failed")
        fits, seconds = stdout.split()
        results.append((int(fits), float(seconds)))
    return sum(fits for fits, _ in results), max(seconds for _, seconds in results)


FINAL_EPOCH = re.compile(r"epoch (\d+)/\1 loss .* elapsed ([0-9.]+) s")


def logged_training_seconds(directory: Path) -> float:
    """Summed training time of the fits of a completed run in ``directory``, from the fit jobs'
    logs: the elapsed time at the last epoch of every training stage."""
    return sum(
        float(match.group(2))
        for log in (directory / "results").glob("**/logs/fit/**/*.log")
        for match in FINAL_EPOCH.finditer(log.read_text())
    )


def print_rule_costs(directory: Path) -> None:
    """The run's summed job time per rule (its results/summary/rule_costs.csv), as a table."""
    import pandas as pd

    costs = pd.read_csv(directory / "results" / "summary" / "rule_costs.csv")
    costs = costs[["rule", "jobs", "wall_s", "cpu_time_s", "peak_rss_mb"]]
    print(f"job time per rule of the batch: point run ({costs['wall_s'].sum():.1f} s in all):")
    print(costs.to_string(index=False, float_format=lambda value: f"{value:.1f}"))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-naive", action="store_true", help="skip the one-job-per-fit run")
    parser.add_argument("--skip-bare", action="store_true", help="skip the bare training runs")
    parser.add_argument("--skip-cold", action="store_true", help="skip the run without a worker")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="cgs-sweep-") as scratch:
        scratch = Path(scratch)
        batched = project_copy(scratch, "batched", SWEEP_CONFIG)
        ours_before_s = float("nan")
        if not args.skip_bare:  # just before the workflow run, and again just after it
            fits, ours_before_s = training_seconds(batched, "ours")
            rows.append((f"bare fit_mlps, {fits} fits, 1 thread, before the run", ours_before_s))
        wall_s = run_snakemake(batched, SWEEP_CONFIG)
        rows.append(("workflow, batch: point (--cores 2)", wall_s))
        noop_s = run_snakemake(batched, SWEEP_CONFIG)
        print_rule_costs(batched)
        rows.append(("second, no-op run", noop_s))
        fits_s = logged_training_seconds(batched) / 2
        rows.append(("fits_s = training in the run's fit logs / 2 cores", fits_s))
        ref_s = own_s = own2_s = float("nan")
        if not args.skip_bare:
            _, ours_after_s = training_seconds(batched, "ours")
            rows.append((f"bare fit_mlps, {fits} fits, 1 thread, after the run", ours_after_s))
            own_s = (ours_before_s + ours_after_s) / 4
            rows.append(("own_s = bare fit_mlps (mean of both) / 2 cores", own_s))
            fits, train_s = training_seconds(batched, "lecture")
            ref_s = train_s / 2
            rows.append((f"bare lecture loop, {fits} fits, 1 thread", train_s))
            rows.append(("ref_s = bare loop / 2 cores", ref_s))
            _, own2_s = training_seconds(batched, "ours", parts=2)
            rows.append(("own2_s = bare fit_mlps, 2 processes at once", own2_s))
        cold_wall_s = float("nan")
        if not args.skip_cold:
            cold_wall_s = run_snakemake(
                project_copy(scratch, "cold", SWEEP_CONFIG), SWEEP_CONFIG,
                "--config", "warm_worker=False",
            )  # fmt: skip
            rows.append(("workflow, warm_worker: false (each job imports)", cold_wall_s))
        naive_wall_s = float("nan")
        if not args.skip_naive:
            naive_wall_s = run_snakemake(
                project_copy(scratch, "naive", SWEEP_CONFIG), SWEEP_CONFIG, "--config", "batch=fit"
            )
            rows.append(("workflow, batch: fit (one job per fit)", naive_wall_s))
    ratio = wall_s / ref_s
    rows.append(("ratio = wall_s / ref_s (target <= 1.5)", ratio))
    ratio_own = wall_s / own_s
    rows.append(("ratio_own = wall_s / own_s (target <= 1.3)", ratio_own))
    ratio_own2 = wall_s / own2_s
    rows.append(("ratio_own2 = wall_s / own2_s", ratio_own2))
    ratio_fits = wall_s / fits_s
    rows.append(("ratio_fits = wall_s / fits_s (the same run)", ratio_fits))
    warm_gain = cold_wall_s / wall_s
    rows.append(("warm_gain = cold_wall_s / wall_s", warm_gain))
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  {'value':>10}")
    print(f"{'-' * width}  {'-' * 10}")
    for name, value in rows:
        print(f"{name:<{width}}  {value:>10.2f}")
    print(
        f"RESULT wall_s={wall_s:.1f} ref_s={ref_s:.1f} ratio={ratio:.2f} own_s={own_s:.1f} "
        f"ratio_own={ratio_own:.2f} own2_s={own2_s:.1f} ratio_own2={ratio_own2:.2f} "
        f"fits_s={fits_s:.1f} ratio_fits={ratio_fits:.2f} noop_s={noop_s:.1f} "
        f"cold_wall_s={cold_wall_s:.1f} warm_gain={warm_gain:.2f} naive_wall_s={naive_wall_s:.1f}"
    )


if __name__ == "__main__":
    main()
