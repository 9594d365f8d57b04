"""Sweeps end to end on a tiny grid: expansion, aggregation, incremental runs, batching modes."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from snakemake_runner import SUMMARY_JOBS, Workflow, tiny_config

from contrastive_gs import config as cgs_config

pytestmark = pytest.mark.workflow


def sweep_config() -> dict:
    """2 scenarios (Ka) x 2 widths x 2 seeds x 3 groups; per-fit figures at the reference only."""
    config = tiny_config()
    config["sweep"] = {"Ka": [130.0, 140.0], "nn": {"width": [8, 16]}}
    config["seeds"] = [0, 1]
    config["figures"].update(scenarios="reference", groups="first", seeds="first")
    return config


def test_sweep_expansion_gives_one_path_and_params_per_point():
    config = sweep_config()
    scenarios = cgs_config.scenario_table(config)
    assert scenarios == [
        {"Ka": 130.0, "Kb": 40.0, "noise": 0.0},
        {"Ka": 140.0, "Kb": 40.0, "noise": 0.0},
    ]
    assert cgs_config.hyper_table(config, "nn") == [
        {"width": 8, "depth": 2},
        {"width": 16, "depth": 2},
    ]
    assert cgs_config.hyper_table(config, "poly") == [{"degree": 2}]
    point = cgs_config.reference_point(config)
    assert point["scenario"] == {"Ka": 140.0, "Kb": 40.0, "noise": 0.0}
    assert (point["nn"], point["poly"]) == ({"width": 8, "depth": 2}, {"degree": 2})
    assert cgs_config.reference_scenario_path(config) == "Ka~140.0/Kb~40.0/noise~0.0"


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Workflow:
    workflow = Workflow(tmp_path_factory.mktemp("sweep"), sweep_config())
    workflow.run()
    return workflow


def test_aggregation_has_a_row_per_point_seed_group_model_split(swept):
    metrics = pd.read_parquet(swept.path("results/summary/metrics.parquet"))
    fits_per_scenario = 2 + 1  # nn widths + poly degrees
    assert len(metrics) == 2 * fits_per_scenario * 2 * 3 * 2  # scenarios, seeds, groups, splits
    stats = ["n", "r2", "rmse", "mean", "std", "min", "max", "shapiro_W", "shapiro_p"]
    assert metrics[stats + ["r2_ceiling", "r2_ceiling_group"]].notna().all().all()
    assert metrics.loc[metrics["model"] == "nn", "width"].notna().all()
    assert metrics.loc[metrics["model"] == "poly", "width"].isna().all()
    summary = pd.read_csv(swept.path("results/summary/summary.csv"))
    assert len(summary) == len(metrics) // 2  # mean +- sd over the two seeds
    assert (summary["r2_count"] == 2).all()
    for name in ["r2_vs_width.svg", "r2_vs_noise.svg", "r2_heatmap_Ka_Kb.svg"]:
        assert swept.path("results/summary", name).stat().st_size > 0


def test_figures_groups_first_draws_the_first_groups_figures_only(swept):
    """figures.groups: first limits the per-group figures as it does the per-fit ones; every
    group still gets its prediction tables, and the run one identifiability table."""
    point = swept.path("results/Ka~140.0/Kb~40.0/noise~0.0/fits/nn/width~8/depth~2")
    for name in ("measured_vs_predicted.svg", "alpha_vs_T.svg"):
        assert sorted(path.parent.name for path in point.glob(f"*/{name}")) == ["pooled"]
    assert sorted(path.parent.name for path in point.glob("*/cross_validation.csv")) == [
        "HDPE", "PP", "pooled",
    ]  # fmt: skip
    assert list(swept.path("results").rglob("identifiability.csv")) == [
        swept.path("results/summary/identifiability.csv")
    ]


def _changed(workflow: Workflow, change) -> dict:
    config = copy.deepcopy(sweep_config())
    change(config)
    workflow.write_config(config)
    try:
        return dict(workflow.scheduled_jobs())
    finally:
        workflow.write_config(sweep_config())


def test_adding_a_scenario_value_runs_only_the_new_point(swept):
    jobs = _changed(swept, lambda c: c["sweep"]["Ka"].append(150.0))
    # its fits (two widths and poly); no figures: they are drawn at the reference scenario only;
    # what the data identify does not depend on the scenario
    assert jobs == {"simulate": 1, "pair": 1, "fit": 3, **SUMMARY_JOBS}


def test_adding_a_width_runs_only_the_new_fits(swept):
    jobs = _changed(swept, lambda c: c["sweep"]["nn"]["width"].append(32))
    # one new fit per scenario; its figures only at the reference scenario
    assert jobs == {"fit": 2, "diagnose": 1, "compare": 1, **SUMMARY_JOBS}


def test_removing_a_value_reruns_only_aggregation(swept):
    jobs = _changed(swept, lambda c: c["sweep"]["Ka"].remove(130.0))
    assert jobs == SUMMARY_JOBS
    jobs = _changed(swept, lambda c: c["sweep"]["nn"]["width"].remove(16))
    assert jobs == SUMMARY_JOBS


def test_one_job_per_fit_gives_the_same_metrics_and_laws(tmp_path):
    """batch: point and batch: fit give the same metrics, laws and cross-validated predictions
    (written by the fit job in the one, by rule predict in the other)."""
    config = tiny_config()
    config.update(seeds=[0, 1], groups=["pooled", "PP"])
    tables = {}
    for batch, fit_jobs, predict_jobs in [("point", 2, 0), ("fit", 2 * 2 * 2, 2)]:
        config["batch"] = batch
        workflow = Workflow(tmp_path / batch, config)
        scheduled = workflow.scheduled_jobs()
        assert (scheduled["fit"], scheduled.get("predict", 0)) == (fit_jobs, predict_jobs)
        workflow.run()
        tables[batch] = [
            pd.read_parquet(workflow.path("results/summary", name))
            for name in ("metrics.parquet", "recovery.parquet", "cross_validation.parquet")
        ]
    for point, one_per_fit in zip(tables["point"], tables["fit"], strict=True):
        pd.testing.assert_frame_equal(point, one_per_fit, check_exact=True)
