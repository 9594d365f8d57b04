"""A run ends when its last job does: the end hooks cancel the scheduler's pending re-runs; a run
served by the warm worker samples its jobs' benchmarks sparsely."""

from __future__ import annotations

import threading
import time

import pytest
from snakemake.benchmark import ScheduledPeriodicTimer
from snakemake_runner import Workflow, tiny_config

from contrastive_gs import scheduling


def test_pending_timers_are_cancelled_and_never_fire():
    fired = threading.Event()
    timer = threading.Timer(60, fired.set)
    timer.start()
    assert scheduling.cancel_pending_timers() >= 1
    timer.join(timeout=5)
    assert not timer.is_alive()
    assert not fired.is_set()


def samples_in(seconds: float) -> int:
    """How many samples Snakemake's benchmark timer takes of a job that runs ``seconds``."""

    class Counter(ScheduledPeriodicTimer):
        samples = 0

        def work(self):
            Counter.samples += 1

    timer = Counter(interval=30)
    timer.start()
    time.sleep(seconds)
    timer.cancel()
    return Counter.samples


def test_benchmarks_sample_every_interval_set_and_the_old_one_comes_back():
    sparse = scheduling.WARM_BENCHMARK_INTERVAL_S
    snakemakes = scheduling.sample_benchmarks_every(sparse)
    try:
        assert snakemakes == 0.5
        assert samples_in(1.6) == 1  # at the start only
    finally:
        assert scheduling.sample_benchmarks_every(snakemakes) == sparse
    assert samples_in(1.6) >= 3  # every 0.5 s


@pytest.mark.workflow
def test_a_run_exits_without_waiting_for_the_rate_limit_timespan(tmp_path):
    # Without the end hooks, Snakemake would wait here for timers set 10 minutes ahead by every
    # scheduler pass that left a ready job waiting for one of the 2 cores (the tiny run has 3
    # groups' fits and figures ready at once).
    timespan_s = 600
    start = time.perf_counter()
    Workflow(tmp_path, tiny_config()).run(
        "--max-jobs-per-timespan", f"1000/{timespan_s}s", timeout=timespan_s - 60
    )
    assert time.perf_counter() - start < timespan_s / 2
