"""How a run ends promptly under Snakemake's job-rate limiter.

Snakemake (9.27) re-runs its scheduler one rate-limit timespan after every pass that left ready
jobs waiting, each time from a new ``threading.Timer``; a job that ends starts one more such
chain. In a sweep, with more ready jobs than cores, the chains add up to tens of scheduler passes
a second, each of which stats the inputs of every ready job: 15-20 s of CPU taken from the fits
on 2 cores (see snakemake/snakemake pull request 3744). The workflow profile therefore sets a
longer timespan (``max-jobs-per-timespan`` in profiles/default/config.yaml), and the run's
``onsuccess``/``onerror`` hooks cancel the timers still pending: they are not daemon threads, so
the interpreter would otherwise wait for the last of them before it exits.
"""

from __future__ import annotations

import threading


def cancel_pending_timers() -> int:
    """Cancel every ``threading.Timer`` of this process that has not fired yet; returns how many.

    Call it only once the scheduler has returned (a run's end hooks): a cancelled timer never
    calls its function, and in Snakemake's main process its only timers are the scheduler's
    re-evaluations."""
    timers = [thread for thread in threading.enumerate() if isinstance(thread, threading.Timer)]
    for timer in timers:
        timer.cancel()
    return len(timers)
