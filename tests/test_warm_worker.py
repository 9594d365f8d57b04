"""The warm worker: a script hands its job over and exits with the job's status; the job runs in a
fork of the worker, with the client's streams, directory and environment; a killed client kills
its job; a job sent while the worker still imports runs in a fork of it (a stand-in) at once; a
job the worker cannot run as
its own process would is run by the client itself; the child's usage ends the job's log; a run
gives the same results with and without a worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from snakemake_runner import Workflow, tiny_config

from contrastive_gs import benchmarks, warm_worker

pytestmark = pytest.mark.skipif(not warm_worker.supported(), reason="forks only on Linux")

# A stand-in for a rule's script: its `snakemake` object holds the log; it reports where it ran.
SCRIPT = """
import os, sys, types
snakemake = types.SimpleNamespace(log=[sys.argv[1]])
from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)

import torch  # preloaded by the worker

print(f"job pid {{os.getpid()}} parent {{os.getppid()}} cwd {{os.getcwd()}} "
      f"answer {{os.environ.get('ANSWER')}}")
{body}
"""


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    """A worker serving this test process's jobs, listening before the first test."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    running = warm_worker.start(log)
    deadline = time.monotonic() + 120
    while "serving" not in log.read_text():
        assert running.process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the worker did not start listening in 2 minutes"
        time.sleep(0.2)
    yield running
    running.stop()
    assert running.process.returncode is not None
    assert not Path(running.address).parent.exists()
    assert warm_worker.ADDRESS_VARIABLE not in os.environ


def _script(directory: Path, body: str = "") -> Path:
    path = directory / "job.py"
    path.write_text(SCRIPT.format(body=textwrap.dedent(body)))
    return path


def _client(script: Path, log: Path, **environment: str) -> subprocess.Popen:
    """The script run as Snakemake runs one of 1 thread, in its own process, in its folder."""
    threads = {name: "1" for name in warm_worker.THREAD_VARIABLES}
    return subprocess.Popen(
        [sys.executable, str(script), str(log)],
        cwd=script.parent,
        env={**os.environ, **threads, "ANSWER": "42", **environment},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _job_pid(stdout: str) -> int:
    return int(stdout.split("job pid ")[1].split()[0])


def test_a_job_runs_in_a_fork_of_the_worker_with_the_clients_streams_and_environment(
    worker, tmp_path
):
    log = tmp_path / "job.log"
    client = _client(_script(tmp_path, "print('to stderr', file=sys.stderr)"), log)
    stdout, stderr = client.communicate(timeout=120)
    assert client.returncode == 0, stderr
    job_pid = _job_pid(stdout)
    assert job_pid != client.pid  # the job ran elsewhere...
    assert f"cwd {tmp_path} answer 42" in stdout  # ...with the client's directory and variables
    assert stderr == "to stderr\n"
    cpu_time_s, max_rss_mb = warm_worker.usage_of_log(log)
    assert 0 <= cpu_time_s < 60 and max_rss_mb > 50  # the worker's libraries are resident


def test_a_job_sent_while_the_worker_imports_runs_at_once_in_a_stand_in(tmp_path, monkeypatch):
    monkeypatch.delenv(warm_worker.ADDRESS_VARIABLE, raising=False)  # restored afterwards
    log = tmp_path / "worker.log"
    started = warm_worker.start(log)
    try:
        assert Path(started.address).exists()  # start() returns once the worker listens
        client = _client(_script(tmp_path), tmp_path / "job.log")  # before its imports end
        stdout, stderr = client.communicate(timeout=120)
        assert client.returncode == 0, stderr
        assert _job_pid(stdout) != client.pid  # queued for the worker, not run on its own...
        stand_in = int(stdout.split("parent ")[1].split()[0])
        assert stand_in != started.process.pid  # ...and run by the stand-in
        deadline = time.monotonic() + 120
        while log.read_text().count("imported") < 2 or Path(f"/proc/{stand_in}").exists():
            assert time.monotonic() < deadline, "the stand-in outlived the worker's imports"
            time.sleep(0.2)  # once the worker has imported its libraries, the stand-in is gone
        client = _client(_script(tmp_path), tmp_path / "job.log")
        stdout, stderr = client.communicate(timeout=120)
        assert client.returncode == 0, stderr
        assert f"parent {started.process.pid} " in stdout  # the worker serves from then on
    finally:
        started.stop()


def test_the_client_exits_with_the_jobs_status(worker, tmp_path):
    client = _client(_script(tmp_path, "sys.exit(3)"), tmp_path / "job.log")
    client.communicate(timeout=120)
    assert client.returncode == 3
    client = _client(_script(tmp_path, "raise ValueError('bad input')"), tmp_path / "job.log")
    _, stderr = client.communicate(timeout=120)
    assert client.returncode == 1
    assert "ValueError: bad input" in stderr


def test_a_killed_client_kills_its_job(worker, tmp_path):
    client = _client(_script(tmp_path, "sys.stdout.flush(); import time; time.sleep(120)"),
                     tmp_path / "job.log")  # fmt: skip
    job_pid = _job_pid(client.stdout.readline())
    os.kill(client.pid, signal.SIGKILL)
    client.wait(timeout=10)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{job_pid}").exists() and _state(job_pid) != "Z":
        assert time.monotonic() < deadline, (
            f"the job outlived its client by 30 s: {_describe(job_pid)}, client {client.pid}"
        )
        time.sleep(0.1)


def _describe(pid: int) -> str:
    """What /proc says of a process: its stat line and command line."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        return f"{Path(f'/proc/{pid}/stat').read_text().strip()} [{command}]"
    except OSError as error:
        return str(error)


def _state(pid: int) -> str:
    """A process's state letter (Z: a zombie, dead but not yet collected by its parent)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_a_job_with_other_import_time_settings_runs_in_its_own_process(worker, tmp_path):
    log = tmp_path / "job.log"
    client = _client(_script(tmp_path), log, OMP_NUM_THREADS="2")
    stdout, stderr = client.communicate(timeout=120)
    assert client.returncode == 0, stderr
    assert _job_pid(stdout) == client.pid
    assert warm_worker.usage_of_log(log) is None


def test_without_a_worker_the_script_runs_in_its_own_process(tmp_path):
    client = _client(_script(tmp_path), tmp_path / "job.log",
                     **{warm_worker.ADDRESS_VARIABLE: str(tmp_path / "no-socket")})  # fmt: skip
    stdout, stderr = client.communicate(timeout=120)
    assert client.returncode == 0, stderr
    assert _job_pid(stdout) == client.pid


def test_the_benchmark_table_takes_a_warm_jobs_cpu_and_memory_from_its_log(tmp_path):
    benchmark = tmp_path / "fit.tsv"
    benchmark.write_text(
        "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
        "4.0\t0:00:04\t25.0\t30\t20\t22\t0\t0\t2.5\t0.1\n"
    )
    log = tmp_path / "fit.log"
    log.write_text("fitting\n" + warm_worker.USAGE_LINE.format(cpu_time_s=3.0, max_rss_mb=420.5))
    cold_log = tmp_path / "cold.log"
    cold_log.write_text("fitting\n")
    table = benchmarks.job_table([benchmark, benchmark], [log, cold_log], [("fit", "a")] * 2)
    warm, cold = table.to_dict("records")
    assert (warm["wall_s"], warm["cpu_time_s"], warm["max_rss_mb"]) == (4.0, 3.0, 420.5)
    assert warm["cpu_load_pct"] == 75.0 and warm["warm_worker"]
    assert (cold["cpu_time_s"], cold["max_rss_mb"], cold["warm_worker"]) == (0.1, 25.0, False)


@pytest.mark.workflow
def test_a_run_gives_the_same_results_with_and_without_the_worker(tmp_path):
    config = tiny_config()
    config.update(models=["nn", "poly", "twin_structured"], seeds=[0, 1])
    config["twin_structured"]["epochs"] = 50
    tables, warm_jobs = {}, {}
    for warm in (True, False):
        config["warm_worker"] = warm
        workflow = Workflow(tmp_path / str(warm), config)
        workflow.run()
        tables[warm] = [
            pd.read_parquet(workflow.path("results/summary", name))
            for name in ("metrics.parquet", "recovery.parquet", "cross_validation.parquet")
        ]
        costs = pd.read_parquet(workflow.path("results/summary/benchmarks.parquet"))
        warm_jobs[warm] = set(costs.loc[costs["warm_worker"], "rule"])
        if warm:  # the worker served the run, and is gone with it
            served = workflow.path("results/summary/logs/warm_worker.log").read_text()
            assert not Path(served.split("serving ")[1].split()[0]).parent.exists()
    assert warm_jobs[False] == set()
    assert {"fit", "diagnose", "compare"} & warm_jobs[True]  # the later jobs ran warm
    for warm, cold in zip(tables[True], tables[False], strict=True):
        pd.testing.assert_frame_equal(warm, cold, check_exact=True)


def test_a_worker_whose_run_was_killed_exits_and_leaves_no_socket(tmp_path):
    """Snakemake killed (no onerror): its worker notices within a second or two and is gone."""
    log = tmp_path / "worker.log"
    run = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from contrastive_gs import warm_worker; "
         "print(warm_worker.start(sys.argv[1]).address, flush=True); time.sleep(300)", str(log)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    address = Path(run.stdout.readline().strip())
    deadline = time.monotonic() + 120
    while "serving" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    run.kill()
    run.wait()
    deadline = time.monotonic() + 30
    while address.parent.exists():
        assert time.monotonic() < deadline, "the worker outlived its run by 30 s"
        time.sleep(0.2)
