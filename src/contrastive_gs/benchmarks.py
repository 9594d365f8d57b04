"""What a run cost: Snakemake's per-job benchmark files gathered into one table, summed per rule,
and the cluster resources they call for.

A benchmark file (the ``benchmark:`` directive) is a TSV of one row per measured execution with
Snakemake's columns ``s`` (wall time, seconds), ``max_rss`` (peak resident memory, MB),
``mean_load`` (CPU load, percent of one core) and ``cpu_time`` (seconds), among others.

Where a job ran in the run's warm worker (:mod:`contrastive_gs.warm_worker`), Snakemake measured
only its thin client, so its wall time stands, and its CPU time and peak memory are those that
the worker's child wrote at the end of the job's log (the peak includes the libraries it
shares with the worker, as a job importing them itself would hold them).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence

import pandas as pd

from contrastive_gs import warm_worker

# Columns of the gathered table: one row per job.
JOB_COLUMNS = [
    "rule", "wildcards", "wall_s", "max_rss_mb", "cpu_load_pct", "cpu_time_s", "warm_worker",
]  # fmt: skip
_SNAKEMAKE_COLUMNS = {
    "s": "wall_s",
    "max_rss": "max_rss_mb",
    "mean_load": "cpu_load_pct",
    "cpu_time": "cpu_time_s",
}
MEMORY_MARGIN = 1.5  # suggested mem_mb = peak RSS x this, rounded up
MEMORY_FLOOR_MB = 500  # never suggest less (interpreter, imports)
MEMORY_STEP_MB = 100
RUNTIME_MARGIN = 2.0  # suggested runtime = longest job x this, rounded up
RUNTIME_FLOOR_MIN = 5


def job_identity(wildcards: Mapping[str, object]) -> str:
    """A job's wildcards as one readable string, ``name=value`` in their order, ``, ``-joined."""
    return ", ".join(f"{name}={value}" for name, value in wildcards.items())


def read_benchmark(path: str | os.PathLike) -> pd.Series:
    """The last execution recorded in one benchmark file (Snakemake's TSV), in the units of
    :data:`JOB_COLUMNS`; ValueError naming the file if it has no row or lacks a column."""
    frame = pd.read_csv(path, sep="\t")
    missing = set(_SNAKEMAKE_COLUMNS) - set(frame.columns)
    if frame.empty or missing:
        raise ValueError(
            f"{path} is not a Snakemake benchmark file with a measurement "
            f"(rows: {len(frame)}, missing columns: {sorted(missing)})"
        )
    row = frame.iloc[-1]
    return pd.Series({new: _number(row[old]) for old, new in _SNAKEMAKE_COLUMNS.items()})


def _number(value: object) -> float:
    """A measured value as a float; Snakemake writes ``NA`` where it could not measure."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def read_job(benchmark: str | os.PathLike, log: str | os.PathLike) -> dict[str, float | bool]:
    """One job's measures (:func:`read_benchmark`), with the CPU time and peak memory that a
    warm worker's child recorded at the end of its ``log`` where it ran there (``warm_worker``
    says whether)."""
    measured = read_benchmark(benchmark).to_dict()
    usage = warm_worker.usage_of_log(log)
    if usage is not None:
        cpu_time_s, max_rss_mb = usage
        wall_s = measured["wall_s"]
        load = 100 * cpu_time_s / wall_s if wall_s > 0 else math.nan
        measured.update(cpu_time_s=cpu_time_s, max_rss_mb=max_rss_mb, cpu_load_pct=load)
    return {**measured, "warm_worker": usage is not None}


def job_table(
    files: Sequence[str | os.PathLike],
    logs: Sequence[str | os.PathLike],
    jobs: Sequence[tuple[str, str]],
) -> pd.DataFrame:
    """One row per job: ``jobs`` holds (rule, wildcards) of each benchmark file of ``files``
    and each log of ``logs``, in the same order."""
    if not len(files) == len(logs) == len(jobs):
        raise ValueError(f"{len(files)} benchmark files and {len(logs)} logs for {len(jobs)} jobs")
    rows = [
        {"rule": rule, "wildcards": wildcards, **read_job(path, log)}
        for path, log, (rule, wildcards) in zip(files, logs, jobs, strict=True)
    ]
    return pd.DataFrame(rows, columns=JOB_COLUMNS)


def rule_costs(jobs: pd.DataFrame, local_rules: Sequence[str] = ()) -> pd.DataFrame:
    """Per rule: the number of jobs, their summed and longest wall time (s), summed CPU time (s),
    peak memory (MB, the largest of its jobs) and whether it is local (run by the Snakemake
    process, never submitted to a cluster); the costliest rule (summed wall time) first."""
    costs = jobs.groupby("rule", sort=True).agg(
        jobs=("wall_s", "size"),
        wall_s=("wall_s", "sum"),
        longest_s=("wall_s", "max"),
        cpu_time_s=("cpu_time_s", "sum"),
        peak_rss_mb=("max_rss_mb", "max"),
    )
    costs["local"] = costs.index.isin(local_rules)
    return costs.sort_values("wall_s", ascending=False, kind="stable").reset_index()


def _round_up(value: float, step: float) -> int:
    return int(math.ceil(value / step) * step)


def suggested_resources(costs: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Per rule of :func:`rule_costs` but the local ones, ``set-resources`` entries
    for a workflow profile that grow with Snakemake's ``attempt`` (1 on the first try): mem_mb =
    measured peak x :data:`MEMORY_MARGIN` and runtime (minutes) = longest job x
    :data:`RUNTIME_MARGIN`, each rounded up, times the attempt."""
    suggestions = {}
    for row in costs[~costs["local"]].itertuples(index=False):
        peak = row.peak_rss_mb if math.isfinite(row.peak_rss_mb) else MEMORY_FLOOR_MB
        memory = max(MEMORY_FLOOR_MB, _round_up(peak * MEMORY_MARGIN, MEMORY_STEP_MB))
        runtime = max(RUNTIME_FLOOR_MIN, math.ceil(row.longest_s * RUNTIME_MARGIN / 60))
        suggestions[row.rule] = {
            "mem_mb": f"{memory} * attempt",
            "runtime": f"{runtime} * attempt",
        }
    return suggestions


def profile_snippet(suggestions: Mapping[str, Mapping[str, str]]) -> str:
    """``suggested_resources`` as the ``set-resources:`` block of a workflow profile (YAML)."""
    lines = [
        "# Measured peaks with a margin (contrastive_gs.benchmarks); paste into a profile.",
        "set-resources:",
    ]
    for rule, resources in suggestions.items():
        lines.append(f"  {rule}:")
        lines += [f'    {name}: "{value}"' for name, value in resources.items()]
    return "\n".join(lines) + "\n"
