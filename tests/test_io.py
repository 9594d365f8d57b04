"""Files: atomic writes, round trips, clear errors on damaged files; the tidy tables of a run."""

from __future__ import annotations

import json
import logging
import math

import numpy as np
import pandas as pd
import pytest

from contrastive_gs import aggregation, io
from contrastive_gs.families import FittedModel
from contrastive_gs.fit import FitResult


class ConstantModel(FittedModel):
    """A fitted model that predicts one value: enough to save and load."""

    def __init__(self, value: float):
        self.value = value

    def predict_pairs(self, points, pairs):
        return np.full(len(pairs), self.value)

    def alpha(self, points):
        return np.full(len(points), 2.0)


def _hidden_files(directory):
    return [p.name for p in directory.iterdir() if p.name.startswith(".")]


def test_atomic_path_renames_on_success(tmp_path):
    """The block writes a hidden temporary beside the target; it becomes the target on success."""
    target = tmp_path / "sub" / "out.txt"
    with io.atomic_path(target) as tmp:
        assert tmp.parent == target.parent
        assert tmp.name.startswith(".out.txt.") and tmp.suffix == ".tmp"
        assert not target.exists()
        tmp.write_text("done")
    assert target.read_text() == "done"
    assert _hidden_files(target.parent) == []


def test_atomic_path_leaves_nothing_when_block_raises(tmp_path):
    """An exception in the block leaves neither the target nor the temporary file."""
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError, match="killed"):
        with io.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_keeps_old_file_when_block_raises(tmp_path):
    """A failed rewrite leaves the previous complete file untouched."""
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(ValueError):
        with io.atomic_path(target) as tmp:
            tmp.write_text("new, incomplete")
            raise ValueError
    assert target.read_text() == "old"
    assert _hidden_files(tmp_path) == []


def test_parquet_round_trip(tmp_path):
    """write_parquet then read_parquet returns the same frame (dtypes and categories included)."""
    frame = pd.DataFrame(
        {
            "i": np.array([0, 1, 2], dtype=np.int32),
            "x": [0.1, -2.5e-12, np.pi],
            "split": pd.Categorical(["train", "test", "train"], categories=["train", "test"]),
            "name": ["a", "b", "c"],
        }
    )
    path = tmp_path / "t.parquet"
    io.write_parquet(frame, path)
    pd.testing.assert_frame_equal(io.read_parquet(path), frame)
    pd.testing.assert_frame_equal(io.read_parquet(path, columns=["x"]), frame[["x"]])


def test_parquet_bytes_are_those_of_pandas(tmp_path):
    """write_parquet writes the bytes of DataFrame.to_parquet(index=False), for a long table too
    (one that pandas would convert on a thread pool)."""
    n = 5000
    frame = pd.DataFrame(
        {
            "i": np.arange(n, dtype=np.int32),
            "y": np.linspace(-1.0, 1.0, n),
            "split": np.where(np.arange(n) % 5 == 0, "test", "train"),
        }
    )
    io.write_parquet(frame, tmp_path / "ours.parquet")
    frame.to_parquet(tmp_path / "pandas.parquet", index=False)
    assert (tmp_path / "ours.parquet").read_bytes() == (tmp_path / "pandas.parquet").read_bytes()


def test_read_parquet_truncated_file_names_it(tmp_path):
    """A truncated Parquet file raises ValueError whose message names the file."""
    path = tmp_path / "broken.parquet"
    io.write_parquet(pd.DataFrame({"x": np.arange(1000.0)}), path)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match="cannot read Parquet file .*broken.parquet"):
        io.read_parquet(path)


def test_read_parquet_missing_column_and_missing_file(tmp_path):
    """A missing column raises ValueError naming it; a missing file raises FileNotFoundError."""
    path = tmp_path / "t.parquet"
    io.write_parquet(pd.DataFrame({"x": [1.0]}), path)
    with pytest.raises(ValueError, match=r"Parquet file \S*t\.parquet") as error:
        io.read_parquet(path, columns=["x", "y_missing"])
    assert "y_missing" in str(error.value)
    with pytest.raises(FileNotFoundError):
        io.read_parquet(tmp_path / "absent.parquet")


def test_json_round_trip_with_nan_as_null(tmp_path):
    """write_json keeps key order (train before test) and writes NaN as null (valid JSON);
    read_json reads it back."""
    value = {"b": {"r2": 0.5, "shapiro_p": float("nan")}, "a": [1, 2.5, (3, float("nan"))]}
    path = tmp_path / "m.json"
    io.write_json(value, path)
    text = path.read_text()
    assert "NaN" not in text and "null" in text
    assert text.index('"b"') < text.index('"a"')
    assert io.read_json(path) == {"a": [1, 2.5, [3, None]], "b": {"r2": 0.5, "shapiro_p": None}}
    json.loads(text)  # strict JSON


def test_read_json_damaged_file_names_it(tmp_path):
    """A truncated JSON file raises ValueError naming the file."""
    path = tmp_path / "metrics.json"
    path.write_text('{"train": {"r2": 0.8')
    with pytest.raises(ValueError, match="cannot read JSON file .*metrics.json"):
        io.read_json(path)


def test_write_csv_full_precision(tmp_path):
    """write_csv keeps float64 values exactly."""
    frame = pd.DataFrame({"x": [np.pi, 1e-300, -2 / 3]})
    io.write_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv")
    np.testing.assert_array_equal(back["x"], frame["x"])


def test_write_fit(tmp_path):
    """write_fit writes predictions, the fitted model (loadable), alpha, the scaling law and
    metrics."""
    predictions = pd.DataFrame(
        {"i": [0], "j": [1], "split": ["test"], "y_true": [1.0], "y_pred": [2.0]}
    )
    result = FitResult(ConstantModel(2.0), predictions, {"test": {"r2": float("nan")}})
    paths = {
        name: str(tmp_path / "PP" / "seed~0" / name)
        for name in ("m.json", "p.parquet", "x.pkl", "a.parquet", "law.json", "pp.parquet")
    }
    point_table = pd.DataFrame({"point": [0], "logD_pred": [-20.0]})
    alpha = pd.DataFrame({"T": [300.0], "alpha": [2.5]})
    law = {"law": {"estimates": {"Ka": 140.0}}, "truth": {"Ka": 140.0}}
    io.write_fit(
        result, alpha, law, point_table, metrics=paths["m.json"], predictions=paths["p.parquet"],
        model=paths["x.pkl"], alpha=paths["a.parquet"], scaling_law=paths["law.json"],
        points=paths["pp.parquet"],
    )  # fmt: skip
    pd.testing.assert_frame_equal(io.read_parquet(paths["pp.parquet"]), point_table)
    assert io.read_json(paths["law.json"]) == law
    pd.testing.assert_frame_equal(io.read_parquet(paths["a.parquet"]), alpha)
    assert io.read_json(paths["m.json"]) == {"test": {"r2": None}}
    pd.testing.assert_frame_equal(io.read_parquet(paths["p.parquet"]), predictions)
    stored = FittedModel.load(paths["x.pkl"])
    assert isinstance(stored, ConstantModel) and stored.value == 2.0


@pytest.fixture
def restore_logging():
    """job_log reconfigures the root logger: put it back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(False)


def test_job_log_writes_messages_and_failure(tmp_path, restore_logging):
    """job_log sends INFO lines to the log file and records a failure's traceback there."""
    log_path = tmp_path / "logs" / "job.log"
    with pytest.raises(ZeroDivisionError):
        with io.job_log(log_path) as logger:
            logger.info("started fit")
            logging.getLogger("contrastive_gs.training").debug("not shown")
            _ = 1 / 0
    text = log_path.read_text()
    assert "INFO contrastive_gs: started fit" in text
    assert "not shown" not in text
    assert "job failed" in text and "ZeroDivisionError" in text


def _write_metrics(root, fit_dir, r2):
    stats = {"n": 10, "r2": r2, "rmse": 0.1, "r2_ceiling": 0.9}
    io.write_json(
        {"train": stats, "test": {**stats, "r2": r2 - 0.01}}, root / fit_dir / "metrics.json"
    )
    return str(root / fit_dir / "metrics.json")


def test_metrics_table_and_seed_summary(tmp_path):
    """aggregation.metrics_table: one row per (scenario, model, hyper, group, fold, seed, split)
    from the results layout; aggregation.seed_summary: mean and sd of R2 over seeds."""
    scenario = "results/Ka~140.0/Kb~40.0/noise~0.0/fits"
    files = [
        _write_metrics(tmp_path, f"{scenario}/nn/width~32/depth~2/PP/fold~0/seed~0", 0.8),
        _write_metrics(tmp_path, f"{scenario}/nn/width~32/depth~2/PP/fold~0/seed~1", 0.9),
        _write_metrics(tmp_path, f"{scenario}/poly/degree~2/PP/fold~0/seed~0", 0.7),
    ]
    table = aggregation.metrics_table(files)
    assert list(table.columns[:11]) == [
        "Ka",
        "Kb",
        "noise",
        "model",
        "width",
        "depth",
        "degree",
        "group",
        "fold",
        "seed",
        "split",
    ]
    assert len(table) == 6
    assert table["model"].tolist() == ["nn"] * 4 + ["poly"] * 2
    assert table["width"].dtype == "Int64" and table["width"].isna().sum() == 2
    assert table["seed"].tolist() == [0, 0, 1, 1, 0, 0]

    summary = aggregation.seed_summary(table)
    nn_train = summary[(summary["model"] == "nn") & (summary["split"] == "train")].iloc[0]
    assert nn_train["r2_mean"] == pytest.approx(0.85)
    assert nn_train["r2_std"] == pytest.approx(math.sqrt(0.005))  # sample sd of 0.8, 0.9
    assert nn_train["r2_count"] == 2
    assert len(summary) == 4  # (nn, poly) x (train, test)
