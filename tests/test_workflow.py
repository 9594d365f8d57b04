"""End-to-end runs of the workflow on a tiny config: outputs, caching, determinism, bad config."""

from __future__ import annotations

import copy
import re

import pandas as pd
import pytest
import yaml
from snakemake_runner import SUMMARY_JOBS, Workflow, tiny_config

pytestmark = pytest.mark.workflow
SCENARIO = "results/Ka~140.0/Kb~40.0/noise~0.0"


@pytest.fixture(scope="module")
def completed(tmp_path_factory) -> Workflow:
    """The tiny lecture workflow, run to completion once for the tests of this module."""
    workflow = Workflow(tmp_path_factory.mktemp("lecture"), tiny_config())
    workflow.run()
    return workflow


def test_run_writes_every_output(completed):
    fit_dir = completed.path(SCENARIO, "fits/nn/width~32/depth~2/pooled/fold~0/seed~0")
    for name in ["metrics.json", "predictions.parquet", "model.pkl", "qq.svg", "hist.svg",
                 "predicted_vs_true.svg", "residuals_vs_predicted.svg", "residual_stats.csv",
                 "shapiro.csv"]:  # fmt: skip
        assert (fit_dir / name).stat().st_size > 0, name
    compare_dir = completed.path(
        SCENARIO, "compare/nn/width~32/depth~2/poly/degree~2/PP/fold~0/seed~0"
    )
    assert (compare_dir / "model_vs_model.svg").exists()
    assert completed.path(SCENARIO, "pca/fold~0/HDPE.svg").exists()
    assert completed.path(SCENARIO, "logs/fit/nn/width~32/depth~2.log").read_text().count("epoch")


def test_metrics_table_has_one_row_per_fit_and_split(completed):
    metrics = pd.read_parquet(completed.path("results/summary/metrics.parquet"))
    assert len(metrics) == 2 * 3 * 1 * 2  # models x groups x seeds x splits (one fold)
    assert set(metrics["fold"]) == {0}
    assert set(metrics["group"]) == {"pooled", "PP", "HDPE"}
    assert metrics[["r2", "rmse", "r2_ceiling", "r2_ceiling_group"]].notna().all().all()
    assert (metrics["r2"] <= metrics["r2_ceiling"] + 1e-9).all()
    csv = pd.read_csv(completed.path("results/summary/metrics.csv"))
    assert len(csv) == len(metrics)


def test_second_run_does_nothing(completed):
    assert completed.scheduled_jobs() == {}


ONE_MODEL = {"fit": 1, "diagnose": 1, "compare": 1, **SUMMARY_JOBS}
AFTER_PAIRS = {"fit": 2, "diagnose": 2, "compare": 1, "pca": 1, "pcoa": 1, **SUMMARY_JOBS}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c["nn"].update(width=8), ONE_MODEL),
        (lambda c: c["poly"].update(degree=3), ONE_MODEL),
        (lambda c: c["nn"].update(epochs=30), ONE_MODEL),
        (
            lambda c: c["data"].update(Ka=150.0),
            {"simulate": 1, "pair": 1, **AFTER_PAIRS},
        ),
        (lambda c: c["pairs"].update(test_size=0.25), {"pair": 1, **AFTER_PAIRS}),
        (lambda c: c["figures"].update(seeds="all"), {}),  # one seed: the same figures
        (lambda c: c.update(device="auto"), ONE_MODEL),  # the torch fits (nn), not poly
    ],
    ids=[
        "nn.width",
        "poly.degree",
        "nn.epochs",
        "data.Ka",
        "pairs.test_size",
        "figures.seeds",
        "device",
    ],  # fmt: skip
)
def test_a_changed_value_reruns_exactly_what_depends_on_it(completed, change, expected):
    config = copy.deepcopy(completed.config)
    change(config)
    completed.write_config(config)
    try:
        assert completed.scheduled_jobs() == expected
    finally:
        completed.write_config(tiny_config())


def test_changed_width_leaves_poly_fits_alone(completed):
    config = copy.deepcopy(completed.config)
    config["nn"]["width"] = 8
    completed.write_config(config)
    try:
        output = completed.run("--dry-run").stdout
    finally:
        completed.write_config(tiny_config())
    fit_jobs = [
        block for block in re.split(r"\n(?:local)?rule ", output) if block.startswith("fit:")
    ]
    assert len(fit_jobs) == 1
    assert "fits/nn/width~8" in fit_jobs[0] and "fits/poly" not in fit_jobs[0]


def test_same_values_in_another_key_order_rerun_nothing(completed):
    """config.yaml loaded and written back with sorted keys (same values): nothing to do."""
    (completed.directory / "config.yaml").write_text(yaml.safe_dump(completed.config))
    try:
        assert completed.scheduled_jobs() == {}
    finally:
        completed.write_config(tiny_config())


def test_sorted_configfile_with_a_new_width_reruns_only_the_network(completed):
    """As a user would: the config written with sorted keys and nn.width 64, passed by
    --configfile: no simulate, pair or poly job, only the NN fit and what depends on it."""
    config = copy.deepcopy(completed.config)
    config["nn"]["width"] = 64
    configfile = completed.directory / "my.yaml"
    configfile.write_text(yaml.safe_dump(config))
    assert completed.scheduled_jobs("--configfile", str(configfile)) == ONE_MODEL
    output = completed.run("--dry-run", "--configfile", str(configfile)).stdout
    fit_jobs = [b for b in re.split(r"\n(?:local)?rule ", output) if b.startswith("fit:")]
    assert len(fit_jobs) == 1 and "fits/nn/width~64" in fit_jobs[0]


def test_same_config_gives_identical_metrics(completed, tmp_path):
    again = Workflow(tmp_path / "again", tiny_config())
    again.run("--cores", "1")
    first = pd.read_parquet(completed.path("results/summary/metrics.parquet"))
    second = pd.read_parquet(again.path("results/summary/metrics.parquet"))
    pd.testing.assert_frame_equal(first, second, check_exact=True)


def test_bad_config_stops_before_any_job(tmp_path):
    config = tiny_config()
    config["nn"]["widht"] = 16
    workflow = Workflow(tmp_path, config)
    result = workflow.run("--dry-run", check=False)
    message = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Invalid configuration" in message
    assert "config key 'nn': unknown key(s) ['widht']" in message
    assert not workflow.path("results").exists()


def fit_job_resources(workflow: Workflow) -> dict[str, str]:
    """The resources of each fit job of a dry run, by its model."""
    output = workflow.run("--dry-run").stdout
    return {
        re.search(r"model=(\w+)", block).group(1): re.search(r"resources: (.*)", block).group(1)
        for block in re.split(r"\n\[[^\]]+\]\n", output)
        if block.startswith("rule fit:")
    }


def test_device_cuda_asks_a_cluster_for_a_gpu_for_the_torch_fits_only(tmp_path):
    config = tiny_config()
    config["device"] = "cuda"
    resources = fit_job_resources(Workflow(tmp_path, config))
    assert set(resources) == {"nn", "poly"}
    assert "gpu=1" in resources["nn"].split(", ") and "gpu=0" in resources["poly"].split(", ")
