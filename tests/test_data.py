"""Synthetic points: the lecture's table, its row order, and seeded noise on ln D."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

from contrastive_gs import data, polymers
from contrastive_gs.laws import lecture

PP = polymers.Polymer("PP", 273.0)
HDPE = polymers.Polymer("HDPE", 173.0)


def _settings(Ka=140.0, Kb=40.0, **changes) -> data.SimulationSettings:
    """A small grid (3 M x 4 T, PP and HDPE) with the lecture's constants."""
    base = data.SimulationSettings(
        law=lecture.LectureLaw(M0=100.0, D0=1e-9),
        values={"Ka": Ka, "Kb": Kb},
        noise=0.0,
        noise_seed=0,
        M=np.linspace(40.0, 500.0, 3),
        T_C=np.linspace(23.0, 100.0, 4),
        polymers=(PP, HDPE),
    )
    return dataclasses.replace(base, **changes)


def _lecture_dataframe() -> pd.DataFrame:
    """The lecture's data-generation loop, verbatim apart from layout."""
    Ka, Kb = 140, 40
    polymers = {"PP": {"Tg": 273, "r": 1.0}, "HDPE": {"Tg": 173, "r": 1.0}}
    M0, D0 = 100, 1e-9
    M_values = np.linspace(40, 500, 7)
    T_values = np.linspace(23, 100, 7) + 273.15
    rows = []
    for polymer, props in polymers.items():
        Tg, r = props["Tg"], props["r"]
        for M in M_values:
            for T in T_values:
                alpha = 1 + Ka / (Kb + r * (T - Tg))
                D = D0 * (M / M0) ** (-alpha)
                rows.append(
                    {
                        "Polymer": polymer,
                        "M": M,
                        "T": T,
                        "T_C": T - 273.15,
                        "Tg": Tg,
                        "alpha": alpha,
                        "D": D,
                    }
                )
    return pd.DataFrame(rows)


def test_grid_is_linspace():
    """grid({start, stop, num}) is numpy.linspace in float64."""
    values = data.grid({"start": 40, "stop": 500, "num": 7})
    assert values.dtype == np.float64
    np.testing.assert_array_equal(values, np.linspace(40.0, 500.0, 7))
    assert values[1] == pytest.approx(40 + 460 / 6)


def test_simulate_row_count_and_columns():
    """One row per (polymer, M, T): 2 x 3 x 4 = 24 rows, with the documented columns."""
    points = data.simulate(_settings())
    assert len(points) == 2 * 3 * 4
    assert list(points.columns) == [*data.POINT_COLUMNS, "logD_true"]
    assert points.index.equals(pd.RangeIndex(24))


def test_simulate_lecture_order():
    """Rows are ordered polymer, then M, then T (T varies fastest), as in the lecture."""
    settings = _settings()
    points = data.simulate(settings)
    T_K = settings.T_C + 273.15
    expected_polymer = np.repeat(["PP", "HDPE"], 12)
    expected_M = np.tile(np.repeat(settings.M, 4), 2)
    expected_T = np.tile(T_K, 6)
    np.testing.assert_array_equal(points["Polymer"].to_numpy(), expected_polymer)
    np.testing.assert_array_equal(points["M"].to_numpy(), expected_M)
    np.testing.assert_allclose(points["T"].to_numpy(), expected_T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(points["T_C"].to_numpy(), np.tile(settings.T_C, 6), atol=1e-12)
    np.testing.assert_array_equal(points["Tg"].to_numpy(), np.repeat([273.0, 173.0], 12))


def test_simulate_reproduces_lecture_table(lecture_points):
    """The default config gives the lecture's 98 rows: M, T, Tg, alpha exactly, D to 1e-14."""
    lecture = _lecture_dataframe()
    assert len(lecture_points) == len(lecture) == 98
    assert list(lecture_points["Polymer"]) == list(lecture["Polymer"])
    for column in ("M", "T", "T_C", "Tg", "alpha"):
        np.testing.assert_array_equal(
            lecture_points[column].to_numpy(np.float64), lecture[column].to_numpy(np.float64)
        )
    np.testing.assert_allclose(lecture_points["D"], lecture["D"], rtol=1e-14, atol=0)
    np.testing.assert_allclose(lecture_points["r"], 1.0, rtol=0, atol=0)
    # first and last rows of the lecture's printed table
    assert lecture_points.loc[0, "D"] == pytest.approx(1.91e-08, rel=3e-3)
    assert lecture_points.loc[97, "D"] == pytest.approx(7.83e-11, rel=3e-3)


def test_simulate_columns_consistent():
    """logD = ln D, D = D0 (M/M0)^-alpha, and r/alpha come from the lecture's law."""
    polymer = polymers.Polymer("PS", 373.15, 0.5)
    points = data.simulate(_settings(polymers=(polymer,)))
    np.testing.assert_allclose(np.log(points["D"]), points["logD"], rtol=1e-14)
    expected_alpha = lecture.alpha(points["T"], 373.15, 140.0, 40.0, 0.5)
    np.testing.assert_allclose(points["alpha"], expected_alpha, rtol=1e-15)
    np.testing.assert_allclose(points["D"], 1e-9 * (points["M"] / 100.0) ** -expected_alpha, 1e-13)
    np.testing.assert_allclose(points["r"], lecture.state_parameter(points["T"], 373.15, 0.5))
    assert points["r"].min() == pytest.approx(0.5)  # 23 degC is far below Tg = 100 degC


def test_simulate_raises_at_pole():
    """A grid that reaches alpha's pole is refused by the kernel."""
    with pytest.raises(ValueError, match="pole"):
        data.simulate(_settings(Kb=-30.0))


def test_noise_same_seed_same_values():
    """The same noise seed gives identical points; noise leaves M, T, alpha untouched."""
    first = data.simulate(_settings(noise=0.1, noise_seed=7))
    second = data.simulate(_settings(noise=0.1, noise_seed=7))
    pd.testing.assert_frame_equal(first, second)
    clean = data.simulate(_settings())
    pd.testing.assert_frame_equal(first[["M", "T", "alpha", "r"]], clean[["M", "T", "alpha", "r"]])
    assert not np.allclose(first["logD"], clean["logD"])


def test_noise_different_seed_different_values():
    """Different noise seeds give different ln D everywhere."""
    first = data.simulate(_settings(noise=0.1, noise_seed=1))
    second = data.simulate(_settings(noise=0.1, noise_seed=2))
    assert np.all(first["logD"].to_numpy() != second["logD"].to_numpy())


def test_noise_standard_deviation():
    """noisy - clean ln D has sd sigma: 20 000 points, seed 0, sd within 3 % of 0.05 (about 7 SE)
    and mean within 0.002 (about 6 SE)."""
    settings = _settings(
        M=np.linspace(40.0, 500.0, 100), T_C=np.linspace(23.0, 100.0, 100), noise=0.05
    )
    noisy = data.simulate(settings)
    clean = data.simulate(dataclasses.replace(settings, noise=0.0))
    difference = (noisy["logD"] - clean["logD"]).to_numpy()
    assert len(difference) == 20_000
    assert difference.std() == pytest.approx(0.05, rel=0.03)
    assert abs(difference.mean()) < 0.002


def test_settings_from_params(lecture_config):
    """The data section of the config becomes SimulationSettings with grids expanded."""
    polymers = [PP, HDPE]
    law = lecture.LectureLaw.from_config(lecture_config)
    settings = data.settings_from_params(lecture_config["data"], polymers, law)
    assert settings.values == {"Ka": 140.0, "Kb": 40.0}
    assert (settings.law.M0, settings.law.D0) == (100.0, 1e-9)
    assert (settings.noise, settings.noise_seed) == (0.0, 0)
    np.testing.assert_array_equal(settings.M, np.linspace(40, 500, 7))
    np.testing.assert_array_equal(settings.T_C, np.linspace(23, 100, 7))
    assert settings.polymers == (PP, HDPE)


def test_simulate_uses_the_scenario_constants_for_every_polymer():
    """One law for all polymers (the lecture): PMMA's alpha uses the scenario's Ka 252, Kb 65."""
    pmma = polymers.PRESETS["PMMA"]
    points = data.simulate(
        _settings(polymers=(pmma,), Ka=252.0, Kb=65.0, T_C=np.linspace(120.0, 150.0, 4))
    )
    expected = lecture.alpha(points["T"], pmma.Tg, 252.0, 65.0, pmma.r_glassy)
    np.testing.assert_allclose(points["alpha"], expected, rtol=1e-14)


MEASURED = """polymer,M,T,Tg,D
PP,40,296.15,273,1.9e-08
PP,120,296.15,273,6.1e-10
PP,40,373.15,273,6.2e-09
HDPE,40,296.15,173,2.0e-08
HDPE,500,373.15,173,7.8e-11
"""


def _measured_file(tmp_path, text: str, name: str = "measured.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_measured_gives_point_columns_in_polymer_m_t_order(tmp_path):
    """A measured table becomes points: lecture columns, ln D, alpha unknown (NaN)."""
    points = data.read_measured(_measured_file(tmp_path, MEASURED))
    assert list(points.columns) == [*data.POINT_COLUMNS, "replicate", "row"]
    assert points["row"].tolist() == [2, 4, 3, 5, 6]  # the file's rows (header = 1)
    assert points["Polymer"].tolist() == ["PP", "PP", "PP", "HDPE", "HDPE"]
    assert points["M"].tolist() == [40, 40, 120, 40, 500]  # sorted by M, then T
    np.testing.assert_allclose(points["logD"], np.log(points["D"]))
    assert points["alpha"].isna().all()
    assert data.measured_polymers(points) == [
        polymers.Polymer("PP", 273.0),
        polymers.Polymer("HDPE", 173.0),
    ]


def test_read_measured_parquet_and_replicates(tmp_path):
    """Parquet works too; a replicate column allows repeated (polymer, M, T)."""
    table = pd.read_csv(io.StringIO(MEASURED + "PP,40,296.15,273,1.8e-08\n"))
    table["replicate"] = [0, 0, 0, 0, 0, 1]
    path = tmp_path / "measured.parquet"
    table.to_parquet(path)
    assert len(data.read_measured(path)) == 6


DATA_FAULTS = {
    "missing column": (MEASURED.replace(",D\n", ",Dx\n"), "missing column(s) ['D']"),
    "NaN": (MEASURED.replace("6.1e-10", "nan"), "column D has 1 missing"),
    "empty cell": (MEASURED.replace(",120,", ",,"), "column M has 1 missing"),
    "infinite": (MEASURED.replace("6.1e-10", "inf"), "infinite"),
    "non-numeric": (MEASURED.replace("296.15,273,1.9", "hot,273,1.9"), "column T has 1"),
    "D zero": (MEASURED.replace("6.1e-10", "0"), "column D must be > 0; row 3 has 0"),
    "D negative": (MEASURED.replace("6.1e-10", "-6.1e-10"), "column D must be > 0"),
    "M negative": (MEASURED.replace(",120,", ",-120,"), "column M must be > 0"),
    "two Tg": (MEASURED.replace("PP,40,373.15,273", "PP,40,373.15,270"), "several Tg"),
    "T below 0 K in degC": (MEASURED.replace("296.15,273,1.9", "-300,273,1.9"), "above 0 K"),
    "mapped column absent": (MEASURED, "data.columns names column(s) ['T_K']"),
}


@pytest.mark.parametrize(("text", "problem"), DATA_FAULTS.values(), ids=DATA_FAULTS.keys())
def test_read_measured_rejects_bad_data_naming_file_and_problem(tmp_path, text, problem):
    path = _measured_file(tmp_path, text)
    columns = {"T": "T_K"} if "T_K" in problem else None
    with pytest.raises(data.DataFileError) as error:
        data.read_measured(path, columns, "degC" if "0 K" in problem else "K")
    assert str(path) in str(error.value)
    assert problem in str(error.value)


def test_read_measured_missing_or_damaged_file(tmp_path):
    with pytest.raises(data.DataFileError, match="not found"):
        data.read_measured(tmp_path / "absent.csv")
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(data.DataFileError, match="cannot be read"):
        data.read_measured(damaged)


def test_replicates_are_kept_as_points_with_their_spread(tmp_path):
    """Rows repeating a (polymer, M, T) are replicates: kept, numbered, their spread reported;
    a polymer of one point is kept too (its identifiability says what it can tell)."""
    text = MEASURED + "PP,40,296.15,273,2.9e-08\nPS,40,296.15,373,1e-09\n"
    points = data.read_measured(_measured_file(tmp_path, text))
    assert len(points) == 7
    repeated = points[(points["Polymer"] == "PP") & (points["M"] == 40) & (points["T"] == 296.15)]
    assert repeated["replicate"].tolist() == [0, 1]
    spread = data.replicate_spread(points)
    assert len(spread) == 1 and spread["n"].iloc[0] == 2
    expected = np.std(np.log10([1.9e-08, 2.9e-08]), ddof=1)
    assert spread["sd_log10D"].iloc[0] == pytest.approx(expected)


def test_columns_by_other_names_and_degC(tmp_path):
    """The file's own column names (data.columns) and temperatures in degC."""
    text = "polymer,solute,M_g_mol,T_degC,Tg_degC,D_m2_s\nPS,toluene,92.14,150,100,1.5e-11\n"
    columns = {"M": "M_g_mol", "T": "T_degC", "Tg": "Tg_degC", "D": "D_m2_s"}
    points = data.read_measured(_measured_file(tmp_path, text), columns, "degC")
    assert points["T"].iloc[0] == pytest.approx(423.15) and points["Tg"].iloc[0] == 373.15
    assert points["solute"].iloc[0] == "toluene"


def test_the_toluene_dataset_reads_with_its_replicates():
    """The worked example's data: 26 points of toluene in six polymers, with replicates."""
    from conftest import ROOT

    columns = {"M": "M_g_mol", "T": "T_K", "Tg": "Tg_K", "D": "D_m2_s"}
    points = data.read_measured(ROOT / "data" / "toluene_zhu2019.csv", columns)
    assert len(points) == 26 and points["Polymer"].nunique() == 6
    assert data.replicate_spread(points)["n"].sum() == 8  # gPET 2, wPET 4 + 2 at 313 and 323 K
