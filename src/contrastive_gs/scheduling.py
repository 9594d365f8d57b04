"""How Snakemake's main process spends less of the cores that the jobs need.

A run ends promptly under Snakemake's job-rate limiter:

Snakemake (9.27) re-runs its scheduler one rate-limit timespan after every pass that left ready
jobs waiting, each time from a new ``threading.Timer``; a job that ends starts one more such
chain. In a sweep, with more ready jobs than cores, the chains add up to tens of scheduler passes
a second, each of which stats the inputs of every ready job: 15-20 s of CPU taken from the fits
on 2 cores (see snakemake/snakemake pull request 3744). The workflow profile therefore sets a
longer timespan (``max-jobs-per-timespan`` in profiles/default/config.yaml), and the run's
``onsuccess``/``onerror`` hooks cancel the timers still pending: they are not daemon threads, so
the interpreter would otherwise wait for the last of them before it exits.

Where the run's warm worker (:mod:`contrastive_gs.warm_worker`) serves the jobs, Snakemake's
``benchmark:`` samples only each job's thin client: the job itself runs in a fork of the worker,
which writes its CPU time and peak memory at the end of the job's log
(:mod:`contrastive_gs.benchmarks` reads them), so that only the benchmark's wall time is the job's.
Snakemake samples a job's process tree every 0.5 s for its first 15 s (a psutil scan of every
process, ~6 ms of the main process's CPU each), then every 30 s: in the reference sweep, 4-8 s
of the main process's CPU (15.8-19.2 s against 11.5-11.9 s), taken from the fits to measure
nothing.  Such a run samples every :data:`WARM_BENCHMARK_INTERVAL_S`
(:func:`sample_benchmarks_every`); the wall time is measured apart from the samples, so it stays
exact.
"""

from __future__ import annotations

import threading

WARM_BENCHMARK_INTERVAL_S = 30.0  # Snakemake's interval once a job has run 15 s


def cancel_pending_timers() -> int:
    """Cancel every ``threading.Timer`` of this process that has not fired yet; returns how many.

    Call it only once the scheduler has returned (a run's end hooks): a cancelled timer never
    calls its function, and in Snakemake's main process its only timers are the scheduler's
    re-evaluations."""
    timers = [thread for thread in threading.enumerate() if isinstance(thread, threading.Timer)]
    for timer in timers:
        timer.cancel()
    return len(timers)


def sample_benchmarks_every(seconds: float) -> float:
    """Make Snakemake's ``benchmark:`` sample a job's processes every ``seconds`` from its start
    (in this process, for the jobs it starts from now on); returns the interval this replaced,
    to restore it with.

    Snakemake (9.27) has no setting for it: this sets its module's constant."""
    from snakemake import benchmark

    previous = benchmark.BENCHMARK_INTERVAL_SHORT
    benchmark.BENCHMARK_INTERVAL_SHORT = seconds
    return previous
