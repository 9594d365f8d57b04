"""Measured data end to end: degenerate shapes that finish with the right statuses, and the
worked example (toluene in six polymers under the free-volume law), reduced to run in seconds."""

from __future__ import annotations

import copy
import shutil

import numpy as np
import pandas as pd
import pytest
from snakemake_runner import ROOT, Workflow, default_config

pytestmark = pytest.mark.workflow

# One polymer per shape (lecture's law; D from it with Ka 140 K, Kb 40 K, M0 100 g/mol, D0 1e-9
# m^2/s, small deterministic wiggles so that replicates differ):
SHAPES = {
    "oneM": ("one molar mass", [(100.0, T) for T in (300.0, 320.0, 340.0, 360.0)]),
    "oneT": ("one temperature", [(M, 330.0) for M in (50.0, 100.0, 200.0, 400.0)]),
    "single": ("one point", [(100.0, 330.0)]),
    "replicates": ("replicates only", [(100.0, 330.0)] * 4),
    "rubbery": ("all above Tg", [(M, T) for M in (50.0, 200.0) for T in (300.0, 330.0, 360.0)]),
    "twoT": ("two temperatures", [(M, T) for M in (50.0, 200.0) for T in (300.0, 340.0)]),
}
TG = 273.0


def shapes_table() -> pd.DataFrame:
    from contrastive_gs.laws import lecture

    rows = []
    for polymer, (_, conditions) in SHAPES.items():
        for k, (M, T) in enumerate(conditions):
            logD = lecture.log_diffusivity(M, T, TG, 140.0, 40.0) + 0.01 * np.sin(7 * k + M)
            rows.append({"polymer": polymer, "M": M, "T": T, "Tg": TG, "D": float(np.exp(logD))})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> Workflow:
    directory = tmp_path_factory.mktemp("shapes")
    shapes_table().to_csv(directory / "shapes.csv", index=False)
    config = copy.deepcopy(default_config())
    config["data"].update(source="file", path="shapes.csv")
    config["models"] = ["poly", "twin_structured", "kernel"]
    config["compare"] = ["poly", "kernel"]
    config["twin_structured"].update(epochs=60, log_every=30)
    config["kernel"]["bootstrap"] = 20
    config["pairs"].update(split="pairs", test_size=0.5)
    config["groups"] = "auto"
    workflow = Workflow(directory, config)
    workflow.run()
    return workflow


def test_every_shape_finishes_with_the_right_statuses(shapes):
    """The run completes; one point is dropped (logged); the statuses say what each shape
    cannot tell."""
    status = pd.read_csv(shapes.path("results/summary/identifiability.csv"))
    kernel = status[status["model"] == "kernel"].set_index(["group", "parameter"])["status"]
    assert set(status["group"]) == {"pooled", "oneM", "oneT", "replicates", "rubbery", "twoT"}
    for group in ("oneM", "replicates"):
        assert "one molar mass" in kernel[group, "Ka"]
    assert kernel["oneT", "Ka"].startswith("not identifiable: 1 temperature")
    assert kernel["rubbery", "Ka"] == kernel["rubbery", "Kb"] == "estimated"
    assert "no point 5 K below Tg" in kernel["rubbery", "r_glassy"]
    assert kernel["twoT", "Ka"] == "estimated"
    assert "2 temperatures: Ka and Kb cannot be separated" in kernel["twoT", "Kb"]
    recovery = pd.read_parquet(shapes.path("results/summary/recovery.parquet"))
    rows = recovery[recovery["model"] == "kernel"].set_index(["group", "parameter"])
    assert np.isfinite(rows.loc[("rubbery", "Ka"), "estimate"])
    assert rows.loc[("rubbery", "Ka"), "status"] == "estimated"
    assert np.isnan(rows.loc[("oneM", "Ka"), "estimate"])
    metrics = pd.read_parquet(shapes.path("results/summary/metrics.parquet"))
    assert set(metrics["group"]) == set(status["group"])


def test_results_land_under_the_dataset_name(shapes):
    assert shapes.path("results/shapes/data/points.parquet").exists()
    assert not list(shapes.path("results").glob("Ka~*"))
    assert len(pd.read_csv(shapes.path("results/shapes/data/replicates.csv"))) == 1


@pytest.fixture(scope="module")
def toluene(tmp_path_factory) -> Workflow:
    """config/toluene.yaml, with 2 folds fewer epochs and one seed."""
    directory = tmp_path_factory.mktemp("toluene")
    shutil.copytree(ROOT / "data", directory / "data")
    import yaml

    config = copy.deepcopy(default_config())
    example = yaml.safe_load((ROOT / "config" / "toluene.yaml").read_text())
    for key, value in example.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) else value
    config["models"] = ["poly", "kernel"]
    config["compare"] = ["poly", "kernel"]
    config["seeds"] = [0]
    config["kernel"]["bootstrap"] = 50
    workflow = Workflow(directory, config)
    workflow.run()
    return workflow


def test_toluene_example_runs_to_the_end_and_beats_the_published_error(toluene):
    """Every configured model runs; the kernel's cross-validated log10 RMSE of D (anchored on
    the other points of each polymer) over the 25 points of the pooled group is below the
    published parameters' 0.47; per polymer, each parameter has a status."""
    cv = pd.read_csv(toluene.path("results/summary/cross_validation.csv"))
    pooled = cv.set_index(["model", "group"]).loc[("kernel", "pooled")]
    assert pooled["n_held_out"] == 25  # LDPE's one point has no anchor
    assert pooled["rmse_log10"] < 0.47
    recovery = pd.read_parquet(toluene.path("results/summary/recovery.parquet"))
    kernel = recovery[recovery["model"] == "kernel"]
    assert set(kernel["group"]) == {"pooled", "PS", "PMMA", "PVAc", "wPET", "gPET"}
    assert kernel["status"].str.len().gt(0).all()
    queries = pd.read_csv(
        toluene.path("results/toluene_zhu2019/fits/kernel/fit_r~auto/pooled/predictions.csv")
    )
    assert len(queries) == 7
    assert ((queries["D_low"] < queries["D"]) & (queries["D"] < queries["D_high"])).all()
    assert toluene.path("results/summary/overview.png").exists()
