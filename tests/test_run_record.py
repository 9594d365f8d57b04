"""What a run cost and what made it: the benchmark table of every job, the resources it calls
for, the provenance record; a fit killed once and retried with more memory; the workflow used as
a module of another one; the report of a fresh directory in one command."""

from __future__ import annotations

import datetime
import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml
from snakemake_runner import ROOT, SNAKEFILE, Workflow, tiny_config

from contrastive_gs import benchmarks, provenance

BENCHMARK_HEADER = (
    "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time"
)


def _benchmark_file(path: Path, rows: list[tuple[float, float]]) -> Path:
    """A Snakemake benchmark TSV of (wall s, max RSS MB) rows."""
    lines = [BENCHMARK_HEADER] + [
        f"{wall}\t0:00:01\t{rss}\t900\t80\t90\t0.0\t0.1\t95.5\t{wall * 0.9}" for wall, rss in rows
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


# --- benchmarks ----------------------------------------------------------------------------------


def test_job_table_reads_the_last_measurement_in_the_units_of_its_columns(tmp_path):
    fit = _benchmark_file(tmp_path / "fit.tsv", [(9.0, 400.0), (12.5, 491.25)])
    pair = _benchmark_file(tmp_path / "pair.tsv", [(1.5, 135.0)])
    jobs = [("fit", "model=nn"), ("pair", "scenario=Ka~140.0")]
    logs = [tmp_path / "fit.log", tmp_path / "pair.log"]  # none: jobs in their own processes
    table = benchmarks.job_table([fit, pair], logs, jobs)
    assert list(table.columns) == benchmarks.JOB_COLUMNS
    assert table.iloc[0].to_dict() == {
        "rule": "fit", "wildcards": "model=nn", "wall_s": 12.5, "max_rss_mb": 491.25,
        "cpu_load_pct": 95.5, "cpu_time_s": 12.5 * 0.9, "warm_worker": False,
    }  # fmt: skip
    with pytest.raises(ValueError, match="2 benchmark files and 2 logs for 1 jobs"):
        benchmarks.job_table([fit, pair], logs, jobs[:1])


def test_a_file_without_a_measurement_is_named(tmp_path):
    empty = tmp_path / "empty.tsv"
    empty.write_text(BENCHMARK_HEADER + "\n")
    with pytest.raises(ValueError, match="empty.tsv is not a Snakemake benchmark file"):
        benchmarks.read_benchmark(empty)


def test_a_value_snakemake_could_not_measure_is_nan(tmp_path):
    path = tmp_path / "na.tsv"
    path.write_text(BENCHMARK_HEADER + "\n0.5\t0:00:00\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n")
    measured = benchmarks.read_benchmark(path)
    assert measured["wall_s"] == 0.5 and math.isnan(measured["max_rss_mb"])


def _costs() -> pd.DataFrame:
    jobs = pd.DataFrame(
        [("fit", "a", 30.0, 700.0), ("fit", "b", 50.0, 1210.0), ("pair", "a", 2.0, 150.0),
         ("aggregate", "", 1.0, 130.0)],
        columns=["rule", "wildcards", "wall_s", "max_rss_mb"],
    ).assign(cpu_load_pct=90.0, cpu_time_s=1.0)  # fmt: skip
    return benchmarks.rule_costs(jobs, local_rules=["aggregate"])


def test_rule_costs_sum_time_and_take_the_peak_memory_costliest_first():
    costs = _costs()
    assert list(costs["rule"]) == ["fit", "pair", "aggregate"]
    fit = costs.iloc[0]
    assert (fit["jobs"], fit["wall_s"], fit["longest_s"], fit["peak_rss_mb"]) == (2, 80, 50, 1210)
    assert list(costs["local"]) == [False, False, True]


def test_suggested_resources_grow_with_the_attempt_and_skip_local_rules():
    suggestions = benchmarks.suggested_resources(_costs())
    # fit: 1210 MB x 1.5 = 1815 -> 1900; 50 s x 2 = 100 s -> 2 min, at least 5
    assert suggestions == {
        "fit": {"mem_mb": "1900 * attempt", "runtime": "5 * attempt"},
        "pair": {"mem_mb": "500 * attempt", "runtime": "5 * attempt"},  # the floors
    }
    profile = yaml.safe_load(benchmarks.profile_snippet(suggestions))
    assert profile == {"set-resources": suggestions}
    assert eval(profile["set-resources"]["fit"]["mem_mb"], {"attempt": 2}) == 3800


# --- provenance ----------------------------------------------------------------------------------


def test_provenance_of_a_git_checkout_and_of_a_plain_folder(tmp_path):
    config = {"data": {"Ka": 140.0, "polymers": ("PP", "HDPE")}, "seeds": [0]}
    now = datetime.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=datetime.UTC)
    record = provenance.record(config, ROOT, "snakemake --cores 2", now)
    assert record["written_utc"] == "2026-01-02T03:04:05+00:00"
    assert record["command"] == "snakemake --cores 2"
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()  # fmt: skip
    assert record["workflow"]["commit"] == head and isinstance(record["workflow"]["dirty"], bool)
    assert record["versions"]["torch"].startswith("2.13.0")
    assert record["versions"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert record["config"]["data"]["polymers"] == ["PP", "HDPE"]  # plain YAML lists

    plain = provenance.record(config, tmp_path, "snakemake")
    assert plain["workflow"]["commit"] == provenance.NOT_A_CHECKOUT

    provenance.write_yaml(record, tmp_path / "provenance.yaml")
    assert yaml.safe_load((tmp_path / "provenance.yaml").read_text()) == record
    record["command"] = "snakemake --config 'note=<b>'"
    provenance.write_html(record, tmp_path / "provenance.html")
    page = (tmp_path / "provenance.html").read_text()
    assert "note=&lt;b&gt;" in page and head in page and "Ka: 140.0" in page


# --- in a workflow run ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Workflow:
    """The tiny lecture with two seeds, one job per fit (``--config batch=fit``), run once."""
    config = tiny_config()
    config["seeds"] = [0, 1]
    workflow = Workflow(tmp_path_factory.mktemp("record"), config)
    workflow.run("--config", "batch=fit")
    return workflow


@pytest.mark.workflow
def test_benchmark_table_holds_every_job_of_the_run(finished, tmp_path):
    fresh = Workflow(tmp_path, finished.config)
    planned = fresh.scheduled_jobs("--config", "batch=fit")
    table = pd.read_csv(finished.path("results/summary/benchmarks.csv"))
    recorded = table["rule"].value_counts().to_dict()
    gathered = {rule: count for rule, count in planned.items()
                if rule not in {"benchmarks", "provenance", "all"}}  # fmt: skip
    assert recorded == gathered
    assert (table["wall_s"] > 0).all() and (table["max_rss_mb"] > 0).all()
    # Snakemake samples a job's memory at its start, then every 0.5 s: a job of over a second
    # shows its Python's, a shorter one may show only its first moment.
    assert (table.loc[table["wall_s"] > 1.0, "max_rss_mb"] > 50).all()
    fit_rows = table[table["rule"] == "fit"]
    assert set(fit_rows["wildcards"]) == {
        f"scenario=Ka~140.0/Kb~40.0/noise~0.0, model={model}, hyper={hyper}, "
        f"group={group}, fold=0, seed={seed}"
        for model, hyper in [("nn", "width~32/depth~2"), ("poly", "degree~2")]
        for group in finished.config["groups"]
        for seed in (0, 1)
    }
    costs = pd.read_csv(finished.path("results/summary/rule_costs.csv"))
    assert costs["wall_s"].is_monotonic_decreasing
    suggested = yaml.safe_load(
        finished.path("results/summary/suggested_resources.yaml").read_text()
    )
    assert {"fit", "pair", "simulate"} <= set(suggested["set-resources"])
    assert not {"aggregate", "overview"} & set(suggested["set-resources"])  # local rules
    assert finished.path("results/summary/rule_costs.svg").read_text().startswith("<?xml")


@pytest.mark.workflow
def test_provenance_records_the_resolved_config_and_reruns_nothing(finished):
    record = yaml.safe_load(finished.path("results/summary/provenance.yaml").read_text())
    assert record["config"]["batch"] == "fit"  # from --config, over the configfile
    assert record["config"]["seeds"] == [0, 1] and record["config"]["nn"]["epochs"] == 20
    assert record["config"]["kernel"]["bootstrap"] == 200  # a default of the schema
    assert "--config batch=fit" in record["command"]
    assert record["workflow"]["commit"] != provenance.NOT_A_CHECKOUT
    # another command line (and any other code or package version: none is a param) reruns nothing
    assert finished.scheduled_jobs("--config", "batch=fit", "--cores", "1") == {}


# --- retries -------------------------------------------------------------------------------------

FAULT = '''
"""Injected fault (tests/test_run_record.py): the first fit job dies as if killed for memory."""
import os, sys
_marker = os.environ.get("CGS_FAIL_FIRST_FIT")
if _marker and sys.argv[0].endswith(".fit.py") and not os.path.exists(_marker):
    open(_marker, "w").close()
    sys.stderr.write("injected fault: this fit job is killed\\n")
    os._exit(137)
'''


@pytest.mark.workflow
def test_a_fit_killed_once_is_retried_with_twice_the_memory(tmp_path):
    (tmp_path / "inject").mkdir()
    (tmp_path / "inject" / "sitecustomize.py").write_text(FAULT)
    marker = tmp_path / "fault_fired"
    config = tiny_config()
    config["models"] = ["poly"]
    workflow = Workflow(tmp_path / "run", config)
    env = {"PYTHONPATH": str(tmp_path / "inject"), "CGS_FAIL_FIRST_FIT": str(marker)}
    result = workflow.run("--until", "fit", "--cores", "1", env=env)
    output = result.stdout + result.stderr
    assert marker.exists(), "the fault did not fire"
    assert "injected fault: this fit job is killed" in output
    assert "Trying to restart job" in output
    fit_resources = re.findall(r"rule fit:.*?resources: ([^\n]*)", output, re.S)
    memory = [int(re.search(r"mem_mb=(\d+)", line).group(1)) for line in fit_resources]
    runtime = [int(re.search(r"runtime=(\d+)", line).group(1)) for line in fit_resources]
    assert len(memory) == 2 and memory[1] == 2 * memory[0], fit_resources  # profiles/default
    assert runtime[1] == 2 * runtime[0]
    assert workflow.path(
        "results/Ka~140.0/Kb~40.0/noise~0.0/fits/poly/degree~2/pooled/fold~0/seed~0/metrics.json"
    ).exists()


# --- the workflow as a module of another one -----------------------------------------------------


@pytest.mark.workflow
def test_a_downstream_workflow_uses_this_one_as_a_module(tmp_path):
    config = tiny_config()
    config["models"] = ["nn", "poly"]
    config["seeds"] = [7]  # the override: the downstream config, not this project's
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    (tmp_path / "Snakefile").write_text(
        textwrap.dedent(
            f"""\
            configfile: "config.yaml"


            module contrastive_gs:
                snakefile:
                    "{SNAKEFILE}"
                config:
                    config


            use rule * from contrastive_gs
            """
        )
    )
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--directory", str(tmp_path),
               "--snakefile", str(tmp_path / "Snakefile")]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-5000:]
    metrics = pd.read_parquet(tmp_path / "results/summary/metrics.parquet")
    assert set(metrics["seed"]) == {7} and set(metrics["model"]) == {"nn", "poly"}
    assert (tmp_path / "results/summary/overview.png").exists()
    assert (tmp_path / "results/summary/provenance.yaml").exists()


# --- the report of a fresh directory -------------------------------------------------------------


@pytest.mark.workflow
def test_report_after_run_makes_the_report_of_a_fresh_directory(tmp_path):
    config = tiny_config()
    config["models"] = ["poly"]  # compare (nn vs poly) is then skipped
    workflow = Workflow(tmp_path, config)
    report = workflow.path("results/report.html")
    result = workflow.run("--report", str(report), "--report-after-run")
    assert report.stat().st_size > 100_000
    assert "Missing metadata" not in result.stderr
    assert "Time and memory per rule" in report.read_text()
