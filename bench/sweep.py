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
  costs beyond its own fits;
- fits_s: the training time of the workflow's own fits, read from their job logs (the last
  epoch's elapsed time of every stage), divided by 2 cores; ratio_fits = wall_s / fits_s.  Both
  come from the same run, so a machine whose speed drifts between the runs above (a shared
  one) cannot move this ratio;
- noop_s: a second, no-op `snakemake` on the completed sweep (target < 5 s);
- naive_wall_s: the same sweep with one job per fit (`batch: fit`), for comparison.

    python bench/sweep.py [--skip-naive] [--skip-bare]
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


fits, seconds = 0, 0.0
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
            start = time.perf_counter()
            if trainer == "ours":
                network = NetworkSettings(width, 2, "relu")
                fit_mlps(X, y.ravel(), network, schedule, config["seeds"])
            else:
                X_t = torch.tensor(X, dtype=torch.float32)
                y_t = torch.tensor(y, dtype=torch.float32)
                for seed in config["seeds"]:
                    lecture_loop(X_t, y_t, width, seed)
            seconds += time.perf_counter() - start
            fits += len(config["seeds"])
print(fits, seconds)
"""


def training_seconds(directory: Path, trainer: str) -> tuple[int, float]:
    """(fits, seconds) of training the sweep's networks bare, one thread: ``trainer`` "lecture"
    (the lecture's plain loop, the reference) or "ours" (contrastive_gs.training.fit_mlps)."""
    result = subprocess.run(
        [sys.executable, "-c", REFERENCE_CODE, str(directory / "config.yaml"),
         str(directory / SWEEP_CONFIG), trainer],  # fmt: skip
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    fits, seconds = result.stdout.split()
    return int(fits), float(seconds)


FINAL_EPOCH = re.compile(r"epoch (\d+)/\1 loss .* elapsed ([0-9.]+) s")


def logged_training_seconds(directory: Path) -> float:
    """Summed training time of the fits of a completed run in ``directory``, from the fit jobs'
    logs: the elapsed time at the last epoch of every training stage."""
    return sum(
        float(match.group(2))
        for log in (directory / "results").glob("**/logs/fit/**/*.log")
        for match in FINAL_EPOCH.finditer(log.read_text())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-naive", action="store_true", help="skip the one-job-per-fit run")
    parser.add_argument("--skip-bare", action="store_true", help="skip the bare training runs")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="cgs-sweep-") as scratch:
        scratch = Path(scratch)
        batched = project_copy(scratch, "batched", SWEEP_CONFIG)
        wall_s = run_snakemake(batched, SWEEP_CONFIG)
        rows.append(("workflow, batch: point (--cores 2)", wall_s))
        noop_s = run_snakemake(batched, SWEEP_CONFIG)
        rows.append(("second, no-op run", noop_s))
        fits_s = logged_training_seconds(batched) / 2
        rows.append(("fits_s = training in the run's fit logs / 2 cores", fits_s))
        ref_s = own_s = float("nan")
        if not args.skip_bare:
            fits, train_s = training_seconds(batched, "lecture")
            ref_s = train_s / 2
            rows.append((f"bare lecture loop, {fits} fits, 1 thread", train_s))
            rows.append(("ref_s = bare loop / 2 cores", ref_s))
            _, ours_s = training_seconds(batched, "ours")
            rows.append((f"bare fit_mlps (our trainer), {fits} fits, 1 thread", ours_s))
            own_s = ours_s / 2
            rows.append(("own_s = bare fit_mlps / 2 cores", own_s))
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
    ratio_fits = wall_s / fits_s
    rows.append(("ratio_fits = wall_s / fits_s (the same run)", ratio_fits))
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  {'value':>10}")
    print(f"{'-' * width}  {'-' * 10}")
    for name, value in rows:
        print(f"{name:<{width}}  {value:>10.2f}")
    print(
        f"RESULT wall_s={wall_s:.1f} ref_s={ref_s:.1f} ratio={ratio:.2f} own_s={own_s:.1f} "
        f"ratio_own={ratio_own:.2f} fits_s={fits_s:.1f} ratio_fits={ratio_fits:.2f} "
        f"noop_s={noop_s:.1f} naive_wall_s={naive_wall_s:.1f}"
    )


if __name__ == "__main__":
    main()
