"""The workflow on a real SLURM scheduler: a one-node cluster started for these tests.

tests/cluster/start_slurm.sh starts it (root, Debian packages; tests/cluster/can_run.sh says
whether this machine can, else the tests skip with its reason) and stop_slurm.sh stops it by PID.
Every run uses profiles/slurm plus the settings of this test cluster only (partition debug, no
accounting database: status by squeue, short status intervals, kept job logs), under
`timeout -k`. `make test-cluster` runs only these tests; the figures they measure are printed
even when pytest captures output (lines starting with [cluster]).
"""

from __future__ import annotations

import copy
import re
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
import yaml
from snakemake_runner import ROOT, Workflow, tiny_config

pytestmark = [pytest.mark.cluster, pytest.mark.workflow]

CLUSTER_SCRIPTS = ROOT / "tests" / "cluster"
PROFILE = ROOT / "profiles" / "slurm"
TARGET = "results/summary/metrics.parquet"  # every fit and the metrics table; no figures
RUN_LIMIT_S = 300  # `timeout -k 10 RUN_LIMIT_S` around every SLURM run

SUBMITTED = re.compile(
    r"^Job (?P<job>\S+) has been submitted with SLURM jobid (?P<slurm_id>\d+) "
    r"\(log: (?P<log>.+)\)\.$",
    re.M,
)
JOB_HEADER = re.compile(r"^(?P<indent>[ \t]*)(?P<local>local)?rule (?P<rule>\w+):$", re.M)
GROUP_HEADER = re.compile(r"Group job \S+ \(jobs in lexicogr\. order\):$", re.M)
FINISHED_IN_JOB = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)$", re.M)


def sweep_config() -> dict:
    """The tiny lecture swept over 2 values of Ka and 3 network widths, groups pooled and PP:
    2 scenarios x (3 nn + 1 poly) = 8 fit jobs, each fitting both groups."""
    config = tiny_config()
    config["sweep"] = {"Ka": [120.0, 140.0], "nn": {"width": [8, 16, 32]}}
    config["groups"] = ["pooled", "PP"]
    return config


def slurm_args() -> list[str]:
    """profiles/slurm plus the settings of the test cluster only.

    --default-resources on the command line replaces the profile's whole block, so the
    profile's values are repeated here with the partition filled in."""
    profile = yaml.safe_load((PROFILE / "config.yaml").read_text())
    resources = {
        key: value for key, value in profile["default-resources"].items() if value not in ("", None)
    }
    resources["slurm_partition"] = "debug"
    return [
        "--workflow-profile", str(PROFILE),
        "--default-resources", *(f"{key}={value}" for key, value in resources.items()),
        "--slurm-status-command", "squeue",  # no slurmdbd: sacct fails, the run would hang
        "--slurm-init-seconds-before-status-checks", "2",  # default 40 s
        "--slurm-keep-successful-logs",  # to check every job's log
    ]  # fmt: skip


def run_on_slurm(workflow: Workflow, *args: str, check: bool = True):
    """Run the workflow through SLURM under `timeout -k 10`; returns (result, output, seconds)."""
    start = time.monotonic()
    result = workflow.run(
        *slurm_args(),
        *args,
        check=False,
        timeout=RUN_LIMIT_S + 60,
        wrapper=("timeout", "-k", "10", str(RUN_LIMIT_S)),
    )
    seconds = time.monotonic() - start
    output = result.stdout + result.stderr
    if result.returncode in (124, 137):  # killed by timeout: remove the lock it leaves behind
        workflow.run("--unlock", check=False)
        raise AssertionError(f"SLURM run timed out after {RUN_LIMIT_S} s:\n{output[-5000:]}")
    if check and result.returncode != 0:
        raise AssertionError(f"SLURM run failed ({result.returncode}):\n{output[-5000:]}")
    return result, output, seconds


def jobs_of_run(output: str) -> tuple[Counter, Counter, int]:
    """From a run's output: its jobs per rule, its local jobs per rule, and the number of
    SLURM jobs it should have submitted (one per non-local job, or per group job)."""
    jobs, local = Counter(), Counter()
    slurm_jobs = len(GROUP_HEADER.findall(output))
    for header in JOB_HEADER.finditer(output):
        jobs[header["rule"]] += 1
        if header["local"]:
            local[header["rule"]] += 1
        elif not header["indent"]:  # indented: a member of a group job, counted above
            slurm_jobs += 1
    return jobs, local, slurm_jobs


def submissions(output: str) -> list[re.Match]:
    return list(SUBMITTED.finditer(output))


def scheduler_states(slurm_ids: list[str]) -> dict[str, str]:
    """State of each job id as SLURM itself reports it (finished jobs stay listed MinJobAge)."""
    listing = subprocess.run(
        ["squeue", "--noheader", "--states=all", "--format=%i %T", f"--jobs={','.join(slurm_ids)}"],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    return dict(line.split() for line in listing.splitlines() if line.strip())


def check_job_logs(workflow: Workflow, found: list[re.Match]) -> Counter:
    """Every SLURM job's log exists under .snakemake/slurm_logs, is named by its job id and
    records its jobs as finished; returns the jobs that ran inside SLURM jobs, per rule."""
    log_root = workflow.path(".snakemake", "slurm_logs").resolve()
    ran = Counter()
    for submission in found:
        log = Path(submission["log"])
        assert log.is_file(), f"no SLURM log {log}"
        assert log.resolve().is_relative_to(log_root), log
        assert log.name == f"{submission['slurm_id']}.log", log
        finished = set(FINISHED_IN_JOB.findall(log.read_text()))  # printed twice (srun)
        assert finished, f"{log} records no finished job:\n{log.read_text()[-2000:]}"
        ran.update(rule for _, rule in finished)
    return ran


def report(capsys, *lines: str) -> None:
    """Print past pytest's capture, so that `make test` shows the measured figures."""
    with capsys.disabled():
        print("\n" + "\n".join(f"[cluster] {line}" for line in lines), flush=True)


def describe(jobs: Counter) -> str:
    return ", ".join(f"{rule} {count}" for rule, count in sorted(jobs.items())) or "none"


@pytest.fixture(scope="module")
def slurm_cluster():
    """A one-node SLURM cluster for the tests of this module, stopped (by PID) afterwards."""
    pytest.importorskip(
        "snakemake_executor_plugin_slurm",
        reason="snakemake-executor-plugin-slurm not installed: pip install '.[slurm]'",
    )
    can_run = subprocess.run(
        ["bash", str(CLUSTER_SCRIPTS / "can_run.sh")], capture_output=True, text=True
    )
    if can_run.returncode != 0:
        pytest.skip(can_run.stdout.strip() or f"can_run.sh failed: {can_run.stderr.strip()}")
    try:
        started = subprocess.run(
            ["bash", str(CLUSTER_SCRIPTS / "start_slurm.sh")],
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        if started.returncode == 3:  # the packages could not be installed
            pytest.skip(started.stdout.strip().splitlines()[-1])
        if started.returncode != 0:
            pytest.fail(
                f"start_slurm.sh failed:\n{started.stdout[-3000:]}\n{started.stderr[-3000:]}"
            )
        yield
    finally:
        subprocess.run(
            ["bash", str(CLUSTER_SCRIPTS / "stop_slurm.sh"), "--purge"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip


def test_sweep_on_slurm_equals_local_run(slurm_cluster, tmp_path, capsys):
    local = Workflow(tmp_path / "local", sweep_config())
    cluster = Workflow(tmp_path / "slurm", sweep_config())
    expected = cluster.scheduled_jobs(*slurm_args(), TARGET)
    assert expected["fit"] >= 8, expected

    def run_locally() -> float:
        start = time.monotonic()
        local.run(TARGET)
        return time.monotonic() - start

    # The local reference run fills the time the SLURM run spends waiting for the scheduler.
    with ThreadPoolExecutor(max_workers=1) as pool:
        local_run = pool.submit(run_locally)
        _, output, seconds = run_on_slurm(cluster, TARGET)
        local_seconds = local_run.result()

    # The run did the dry run's jobs; every non-local one as a SLURM job, with its log.
    jobs, local_jobs, slurm_jobs = jobs_of_run(output)
    assert jobs == expected, (jobs, expected)
    found = submissions(output)
    assert len(found) == slurm_jobs == expected.total() - local_jobs.total(), output[-5000:]
    assert check_job_logs(cluster, found) == expected - local_jobs
    slurm_ids = [submission["slurm_id"] for submission in found]
    assert len(set(slurm_ids)) == len(slurm_ids)
    states = scheduler_states(slurm_ids)
    assert states == dict.fromkeys(slurm_ids, "COMPLETED"), states

    first = pd.read_parquet(local.path(TARGET))
    second = pd.read_parquet(cluster.path(TARGET))
    identical = "no"
    try:
        pd.testing.assert_frame_equal(first, second, check_exact=True)
        identical = "yes"
    finally:
        report(
            capsys,
            f"sweep on SLURM: {len(found)} SLURM jobs submitted, all COMPLETED "
            f"({describe(expected - local_jobs)}; run locally: {describe(local_jobs)})",
            f"wall time: {seconds:.0f} s on SLURM, {local_seconds:.0f} s locally at the same "
            f"time (--cores 2; the same {expected['fit']} fit jobs)",
            f"metrics identical to local: {identical} ({len(first)} rows)",
        )


def test_failed_cluster_job_names_its_log_and_rerun_completes_only_missing_jobs(
    slurm_cluster, tmp_path, capsys
):
    good = tiny_config()
    bad = copy.deepcopy(good)
    bad["nn"]["lr"] = 1.0e6  # valid config; the network's loss overflows: FitDivergedError
    workflow = Workflow(tmp_path / "failing", bad)

    result, output, failed_seconds = run_on_slurm(workflow, TARGET, check=False)
    assert result.returncode != 0, output[-5000:]
    assert "Error in rule fit:" in output, output[-5000:]
    named = re.findall(
        r"\S*/\.snakemake/slurm_logs/rule_fit/\S+/\d+\.log", output.split("Error in rule fit:")[1]
    )
    assert named, f"no SLURM log of the failed job in the error message:\n{output[-5000:]}"
    failed_log = Path(named[0])
    assert failed_log.is_file() and failed_log.resolve().is_relative_to(workflow.path().resolve())
    assert "FitDivergedError" in output  # show-failed-logs: the job's own error is printed
    assert scheduler_states([failed_log.stem]) == {failed_log.stem: "FAILED"}

    workflow.write_config(good)  # the fix
    missing = workflow.scheduled_jobs(*slurm_args(), TARGET)
    assert missing["fit"] >= 1 and not missing["simulate"] and not missing["pair"], missing
    _, output, rerun_seconds = run_on_slurm(workflow, TARGET)
    jobs, local_jobs, slurm_jobs = jobs_of_run(output)
    assert jobs == missing, (jobs, missing)
    found = submissions(output)
    assert len(found) == slurm_jobs == missing.total() - local_jobs.total(), output[-5000:]
    assert check_job_logs(workflow, found) == missing - local_jobs
    assert workflow.scheduled_jobs(*slurm_args(), TARGET) == Counter()
    report(
        capsys,
        f"failure path: the NN fit job failed on SLURM (FitDivergedError, {failed_seconds:.0f} s); "
        f"the error names {failed_log.relative_to(workflow.path().resolve())}",
        f"rerun after the fix: {len(found)} SLURM job(s) submitted for the missing jobs "
        f"({describe(missing)}), completed: yes ({rerun_seconds:.0f} s)",
    )
