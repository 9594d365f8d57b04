"""Fault injection: a killed run resumes to identical results; damaged files and diverging fits
fail loudly, naming the file or the cause, and leave no output behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from snakemake_runner import SNAKEFILE, Workflow, tiny_config

pytestmark = pytest.mark.workflow
FIT_DIR = "results/Ka~140.0/Kb~40.0/noise~0.0/fits"


def interruptible_config() -> dict:
    """Enough jobs (2 scenarios) that a kill lands mid-run."""
    config = tiny_config()
    config["sweep"] = {"Ka": [130.0, 140.0]}
    config["seeds"] = [0, 1]
    return config


def result_files(directory: Path) -> dict[str, bytes]:
    """Every metrics and predictions file of a run, by path relative to the run."""
    files = sorted(directory.glob("results/**/metrics.json"))
    files += sorted(directory.glob("results/**/predictions.parquet"))
    return {str(path.relative_to(directory)): path.read_bytes() for path in files}


def test_run_killed_mid_way_resumes_to_identical_results(tmp_path):
    reference = Workflow(tmp_path / "uninterrupted", interruptible_config())
    reference.run()

    killed = Workflow(tmp_path / "killed", interruptible_config())
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE),
               "--directory", str(killed.directory), "--cores", "2"]  # fmt: skip
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while not list(killed.directory.glob("results/**/fits/**/metrics.json")):
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # snakemake and every job it started
    process.wait()
    assert not killed.path("results/summary/metrics.parquet").exists()

    killed.run("--unlock")
    killed.run("--rerun-incomplete")
    expected, resumed = result_files(reference.directory), result_files(killed.directory)
    assert len(expected) == 2 * 2 * 3 * 2 * 2  # files, scenarios, groups, seeds, models
    differences = [name for name in expected if resumed.get(name) != expected[name]]
    print(f"kill-and-resume: files compared {len(expected)}, differences {len(differences)}")
    assert set(resumed) == set(expected) and differences == []
    pd.testing.assert_frame_equal(
        pd.read_parquet(reference.path("results/summary/metrics.parquet")),
        pd.read_parquet(killed.path("results/summary/metrics.parquet")),
        check_exact=True,
    )


def test_truncated_parquet_between_steps_is_named(tmp_path):
    workflow = Workflow(tmp_path, tiny_config())
    workflow.run("--until", "pair")
    pairs = workflow.path("results/Ka~140.0/Kb~40.0/noise~0.0/pairs/fold~0/pairs.parquet")
    pairs.write_bytes(pairs.read_bytes()[: pairs.stat().st_size // 2])
    result = workflow.run("--until", "fit", check=False)
    assert result.returncode != 0
    logs = "".join(p.read_text() for p in workflow.directory.glob("results/**/logs/fit/**/*.log"))
    assert f"cannot read Parquet file {pairs.relative_to(workflow.directory)}" in logs
    assert not list(workflow.directory.glob(f"{FIT_DIR}/**/metrics.json"))


def test_diverging_fit_fails_without_writing_outputs(tmp_path):
    config = tiny_config()
    config["nn"]["lr"] = 1e8
    workflow = Workflow(tmp_path, config)
    result = workflow.run("--until", "fit", "--keep-going", check=False)
    assert result.returncode != 0
    log = workflow.path("results/Ka~140.0/Kb~40.0/noise~0.0/logs/fit/nn/width~32/depth~2.log")
    assert "training diverged" in log.read_text()
    assert "lower the learning rate" in log.read_text()
    assert not list(workflow.directory.glob(f"{FIT_DIR}/nn/**/*.json"))
    assert not list(workflow.directory.glob(f"{FIT_DIR}/nn/**/*.parquet"))
    assert len(list(workflow.directory.glob(f"{FIT_DIR}/poly/**/metrics.json"))) == 3
