"""The symbolic stage end to end on a tiny grid: the kernel's alpha gives the law's closed form,
symbolic regression on the pair features lists its own expression, and the summary counts how
often the form was found; the rule reruns when its settings change, and only then."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from snakemake_runner import Workflow, tiny_config

pytestmark = pytest.mark.workflow
SCENARIO = "results/Ka~140.0/Kb~40.0/noise~0.0"
FAST_SR = {"population_size": 200, "generations": 20, "max_evaluations": 30_000}


def symbolic_config() -> dict:
    config = tiny_config()
    config["data"]["T_C"]["num"] = 6  # 6 temperatures per polymer: more than the form's 3 constants
    config["models"] = ["kernel", "sr"]
    config["compare"] = ["kernel", "sr"]
    config["kernel"]["bootstrap"] = 0
    config["sr"].update(FAST_SR)
    config["symbolic"]["enabled"] = True
    config["seeds"] = [0, 1]
    return config


@pytest.fixture(scope="module")
def symbolic_run(tmp_path_factory) -> Workflow:
    workflow = Workflow(tmp_path_factory.mktemp("symbolic"), symbolic_config())
    workflow.run()
    return workflow


def test_kernel_alpha_gives_the_law_in_every_fit(symbolic_run):
    fits = pd.read_parquet(symbolic_run.path("results/summary/symbolic.parquet"))
    assert len(fits) == 2 * 3 * 2  # models x groups x seeds
    kernel = fits[fits["model"] == "kernel"]
    assert kernel["form_matched"].all(), kernel["expression"].tolist()
    assert ((kernel["Ka_found"] / 140.0 - 1).abs() < 0.005).all()
    assert ((kernel["Kb_found"] / 40.0 - 1).abs() < 0.005).all()
    assert (kernel["c_found"] == 1.0).all()  # snapped: exactly the law's 1
    summary = pd.read_csv(symbolic_run.path("results/summary/symbolic_summary.csv"))
    rows = summary[summary["model"] == "kernel"]
    assert set(rows["group"]) == {"pooled", "PP", "HDPE"}
    assert (rows["form_found"] == rows["n_fits"]).all() and (rows["n_fits"] == 2).all()
    assert (rows["Ka_err_pct"] < 0.5).all() and (rows["Kb_err_pct"] < 0.5).all()


def test_sr_lists_its_expression_and_has_no_alpha_to_regress(symbolic_run):
    fits = pd.read_csv(symbolic_run.path("results/summary/symbolic.csv"))
    sr = fits[fits["model"] == "sr"]
    assert sr["reason"].str.contains("constant over T - Tg").all()
    assert sr["model_expression"].str.startswith("logD_ratio = ").all()
    assert not sr["form_matched"].any()


def test_tables_and_figures_per_group(symbolic_run):
    group_dir = symbolic_run.path(SCENARIO, "fits/kernel/fit_r~auto/pooled")
    table = pd.read_csv(group_dir / "symbolic.csv")
    assert list(table["seed"]) == [0, 1]
    assert "form found in 2 of 2 fits" in (group_dir / "symbolic.html").read_text()
    assert "the law" in (group_dir / "symbolic_alpha.svg").read_text()
    assert symbolic_run.path(SCENARIO, "pcoa/fold~0/pooled.svg").exists()
    costs = pd.read_csv(symbolic_run.path("results/summary/benchmarks.csv"))
    assert costs["rule"].value_counts()[["symbolic", "aggregate_symbolic"]].tolist() == [2, 1]


def test_changed_symbolic_settings_rerun_only_the_symbolic_rule(symbolic_run):
    assert symbolic_run.scheduled_jobs() == {}
    config = copy.deepcopy(symbolic_run.config)
    config["symbolic"]["tolerance"] = 4.0
    symbolic_run.write_config(config)
    try:
        jobs = symbolic_run.scheduled_jobs()
    finally:
        symbolic_run.write_config(symbolic_config())
    assert jobs == {"symbolic": 2, "aggregate_symbolic": 1, "benchmarks": 1, "provenance": 1,
                    "all": 1}  # fmt: skip


def test_disabled_symbolic_schedules_none_of_its_jobs(tmp_path):
    config = symbolic_config()
    config["symbolic"]["enabled"] = False
    jobs = Workflow(tmp_path, config).scheduled_jobs()
    assert "symbolic" not in jobs and "aggregate_symbolic" not in jobs and jobs["fit"] == 2
