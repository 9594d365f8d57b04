"""Figures: one function each, returning a Figure with the lecture's panels and labelled axes."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from contrastive_gs import diagnostics, io, pairs, plots, steps


def _predictions(seed: int, n: int = 40) -> pd.DataFrame:
    """A small predictions table (PREDICTION_COLUMNS): 30 train and 10 test pairs."""
    rng = np.random.default_rng(seed)
    y_true = rng.normal(size=n)
    return pd.DataFrame(
        {
            "i": np.arange(n),
            "j": np.arange(n) + 1,
            "split": pd.Categorical(["train"] * 30 + ["test"] * (n - 30), categories=pairs.SIDES),
            "y_true": y_true,
            "y_pred": y_true + rng.normal(0, 0.2, n),
        }
    )


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _labels(figure: Figure) -> list[tuple[str, str]]:
    return [(ax.get_xlabel(), ax.get_ylabel()) for ax in figure.axes]


def test_predicted_vs_true():
    """Two panels (train, test) of predicted against true logD_ratio, with the identity line."""
    figure = plots.predicted_vs_true(_predictions(0), "NN")
    assert isinstance(figure, Figure)
    assert len(figure.axes) == 2
    assert [ax.get_title() for ax in figure.axes] == ["train set: NN", "test set: NN"]
    assert figure.axes[0].get_xlabel() == f"true {plots.TARGET_LABEL}"
    assert figure.axes[0].get_ylabel() == f"predicted {plots.TARGET_LABEL}"
    assert len(figure.axes[0].collections[0].get_offsets()) == 30  # train points
    assert len(figure.axes[1].collections[0].get_offsets()) == 10  # test points


def test_residual_histogram():
    """One axes with a histogram and a KDE per (model, split), and labelled axes."""
    figure = plots.residual_histogram({"NN": _predictions(0), "poly": _predictions(1)}, "pooled")
    assert len(figure.axes) == 1
    ax = figure.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == (plots.RESIDUAL_LABEL, "density")
    assert ax.get_legend_handles_labels()[1] == ["NN train", "NN test", "poly train", "poly test"]
    assert len(ax.lines) == 4 + 1  # four KDE curves and the zero line


def test_residual_histogram_constant_residuals_skips_kde():
    """Constant residuals (a perfect fit) draw histograms but no KDE (which would fail)."""
    perfect = _predictions(0).assign(y_pred=lambda t: t["y_true"])
    figure = plots.residual_histogram({"poly": perfect}, "exact")
    assert len(figure.axes[0].lines) == 1  # only the zero line


@pytest.mark.parametrize("n_models", [1, 2])
def test_residuals_vs_predicted(n_models):
    """One row per model, train | test: 2 n_models axes, x predicted, y residual."""
    tables = {f"m{k}": _predictions(k) for k in range(n_models)}
    figure = plots.residuals_vs_predicted(tables, "pooled")
    assert len(figure.axes) == 2 * n_models
    assert _labels(figure) == [(f"predicted {plots.TARGET_LABEL}", "residual")] * (2 * n_models)
    assert figure.axes[-1].get_title() == f"m{n_models - 1} test: residuals vs predicted"


def test_qq_plots():
    """One QQ panel per (model, split), with statsmodels' quantile labels."""
    figure = plots.qq_plots({"NN": _predictions(0), "poly": _predictions(1)}, "pooled")
    assert len(figure.axes) == 4
    assert _labels(figure) == [("Theoretical Quantiles", "Sample Quantiles")] * 4
    assert figure.axes[1].get_title() == "QQ plot: NN test residuals"


def test_model_vs_model():
    """Two panels (train, test) of one model's predictions against the other's."""
    figure = plots.model_vs_model(_predictions(0), _predictions(1), "poly", "NN")
    assert len(figure.axes) == 2
    assert _labels(figure) == [("poly predicted logD_ratio", "NN predicted logD_ratio")] * 2
    assert figure.axes[0].get_title() == "NN vs poly (train)"


def test_pca_scatter():
    """One axes, each label giving its component's explained variance in percent."""
    projection = np.random.default_rng(0).normal(size=(50, 2))
    figure = plots.pca_scatter(projection, np.array([71.234, 28.766]), "pooled")
    assert len(figure.axes) == 1
    assert _labels(figure) == [("PCA component 1 (71.2 %)", "PCA component 2 (28.8 %)")]


def test_pcoa_scatter_states_the_sample():
    ordination = diagnostics.Ordination(
        np.random.default_rng(0).normal(size=(40, 2)), np.array([45.43, 27.2]), 0.0,
        np.arange(0, 80, 2), 80,
    )  # fmt: skip
    figure = plots.pcoa_scatter(ordination, np.arange(40.0), "PP")
    assert _labels(figure)[0] == ("PCoA axis 1 (45.4 %)", "PCoA axis 2 (27.2 %)")
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert texts == [
        "n = 40 of 80 pairs (seeded draw); negative eigenvalues 0.00 % of the positive"
    ]


def test_save_figure_svg_is_byte_stable(tmp_path):
    """The same figure saved twice (rebuilt each time) gives byte-identical SVG files."""
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    io.save_figure(plots.qq_plots({"NN": _predictions(0)}, "t"), first)
    io.save_figure(plots.qq_plots({"NN": _predictions(0)}, "t"), second)
    assert first.read_bytes() == second.read_bytes()
    assert b"<svg" in first.read_bytes() and b"<dc:date>" not in first.read_bytes()


def test_save_figure_closes_and_writes_png(tmp_path):
    """save_figure writes the format of the suffix and closes the figure."""
    figure = plots.pca_scatter(
        np.zeros((3, 2)) + np.arange(3)[:, None], np.array([60.0, 40.0]), "x"
    )
    io.save_figure(figure, tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(figure.number)


def _fit_files(tmp_path, name, seed):
    predictions = _predictions(seed)
    metrics = {}
    for split in pairs.SIDES:
        rows = predictions[predictions["split"] == split]
        X = rows[["y_true"]].to_numpy()
        metrics[split] = diagnostics.split_stats(X, rows["y_true"], rows["y_pred"])
    io.write_parquet(predictions, tmp_path / f"{name}.parquet")
    io.write_json(metrics, tmp_path / f"{name}.json")
    return str(tmp_path / f"{name}.parquet"), str(tmp_path / f"{name}.json")


def test_steps_diagnose_and_compare_write_every_output(tmp_path):
    """steps.diagnose_fit and steps.compare_models write each named output (figures and tables)."""
    nn = _fit_files(tmp_path, "nn", 0)
    poly = _fit_files(tmp_path, "poly", 1)
    names = ["predicted_vs_true", "hist", "residuals_vs_predicted", "qq"]
    outputs = {n: str(tmp_path / "diag" / f"{n}.svg") for n in names}
    outputs |= {n: str(tmp_path / "diag" / f"{n}.csv") for n in ("residual_stats", "shapiro")}
    outputs |= {
        f"{n}_html": str(tmp_path / "diag" / f"{n}.html") for n in ("residual_stats", "shapiro")
    }
    steps.diagnose_fit("nn", "pooled", {"predictions": nn[0], "metrics": nn[1]}, outputs, "nn")
    table = pd.read_csv(outputs["residual_stats"])
    assert table["Model"].tolist() == ["NN", "NN"]
    assert sorted(table["Dataset"]) == ["test", "train"]

    compare = {
        n: str(tmp_path / "cmp" / f"{n}.svg")
        for n in ("hist", "residuals_vs_predicted", "qq", "model_vs_model")
    }
    compare |= {n: str(tmp_path / "cmp" / f"{n}.csv") for n in ("diagnostics", "shapiro")}
    compare |= {
        f"{n}_html": str(tmp_path / "cmp" / f"{n}.html") for n in ("diagnostics", "shapiro")
    }
    steps.compare_models(
        {"nn": nn[0], "poly": poly[0]}, {"nn": nn[1], "poly": poly[1]}, "pooled", compare
    )
    assert len(pd.read_csv(compare["diagnostics"])) == 4
    for path in [*outputs.values(), *compare.values()]:
        assert (tmp_path / path).stat().st_size > 0
    assert "Shapiro" in Path(compare["shapiro_html"]).read_text()
    assert "<table" in Path(outputs["residual_stats_html"]).read_text()


def test_steps_pca_figures(tmp_path, lecture_pairs):
    """steps.pca_figures writes one PCA figure per group."""
    path = tmp_path / "pairs.parquet"
    io.write_parquet(lecture_pairs, path)
    outputs = [str(tmp_path / "pooled.svg"), str(tmp_path / "PP.svg")]
    steps.pca_figures(str(path), ["pooled", "PP"], outputs)
    assert all(
        (tmp_path / name).read_bytes().startswith(b"<?xml") for name in ("pooled.svg", "PP.svg")
    )


def test_steps_pcoa_figures(tmp_path, lecture_pairs):
    """steps.pcoa_figures writes one PCoA figure per group."""
    path = tmp_path / "pairs.parquet"
    io.write_parquet(lecture_pairs, path)
    outputs = [str(tmp_path / "pooled.svg"), str(tmp_path / "HDPE.svg")]
    steps.pcoa_figures(str(path), ["pooled", "HDPE"], 100, 0, outputs)
    for output in outputs:
        assert b"n = 100 of" in Path(output).read_bytes()


def test_steps_diagnose_table_in_lecture_order(tmp_path):
    """The lecture's diagnostics table lists train before test."""
    nn = _fit_files(tmp_path, "nn", 0)
    outputs = {
        n: str(tmp_path / f"{n}.svg")
        for n in ("predicted_vs_true", "hist", "residuals_vs_predicted", "qq")
    }
    outputs |= {n: str(tmp_path / f"{n}.csv") for n in ("residual_stats", "shapiro")}
    outputs |= {f"{n}_html": str(tmp_path / f"{n}.html") for n in ("residual_stats", "shapiro")}
    steps.diagnose_fit("nn", "pooled", {"predictions": nn[0], "metrics": nn[1]}, outputs)
    assert pd.read_csv(outputs["residual_stats"])["Dataset"].tolist() == ["train", "test"]
