"""A run ends when its last job does: the end hooks cancel the scheduler's pending re-runs."""

from __future__ import annotations

import threading
import time

import pytest
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
