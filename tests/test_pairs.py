"""Contrastive pairs: counts, the lecture's loop, the two splits, scopes, subsampling, streaming."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from contrastive_gs import io, pairs
from contrastive_gs.splits import SPLITS, split_from_config
from contrastive_gs.splits.pairs import lecture_test_indices

LECTURE = {"scope": "within", "split": "pairs", "test_size": 0.2, "split_seed": 0,
           "max_pairs": None, "test_above_T_C": None}  # fmt: skip


def _setup(**changes):
    """(PairSettings, split) of the lecture's ``pairs`` section with ``changes``."""
    section = {**LECTURE, **changes}
    settings = pairs.PairSettings(section["scope"], section["max_pairs"], section["split_seed"])
    return settings, split_from_config(section)


def _make(points, **changes) -> pd.DataFrame:
    """The pair table of the lecture's pairing with ``changes`` (fold 0)."""
    return pairs.make_pairs(points, *_setup(**changes))


def _lecture_contrastive_df(df: pd.DataFrame) -> pd.DataFrame:
    """The lecture's pairing loop (itertools.combinations and .loc), verbatim apart from layout;
    ``df`` already has its ``logD`` column."""
    contrastive_data = []
    for polymer in df["Polymer"].unique():
        subset = df[df["Polymer"] == polymer].reset_index(drop=True)
        for i, j in combinations(range(len(subset)), 2):
            row_i = subset.loc[i]
            row_j = subset.loc[j]
            contrastive_data.append(
                {
                    "Polymer": polymer,
                    "logM_ratio": np.log(row_i["M"] / row_j["M"]),
                    "invT_diff": (1 / row_i["T"]) - (1 / row_j["T"]),
                    "Tg_diff": row_i["Tg"] - row_j["Tg"],
                    "logD_ratio": row_i["logD"] - row_j["logD"],
                }
            )
    return pd.DataFrame(contrastive_data)


def _pair_keys(table: pd.DataFrame) -> set[tuple[int, int]]:
    return set(zip(table["i"].tolist(), table["j"].tolist(), strict=True))


def test_lecture_pair_count(lecture_pairs):
    """49 points per polymer give 49*48/2 = 1176 pairs each: 2352 in all (the lecture's count)."""
    assert len(lecture_pairs) == 2352
    counts = lecture_pairs["Polymer_i"].value_counts()
    assert counts["PP"] == counts["HDPE"] == 1176
    assert list(lecture_pairs.columns) == pairs.PAIR_COLUMNS


def test_pairs_equal_lecture_loop(lecture_points, lecture_pairs):
    """Features and target equal the lecture's itertools loop exactly, in the same order."""
    lecture = _lecture_contrastive_df(lecture_points)
    assert len(lecture) == len(lecture_pairs)
    np.testing.assert_array_equal(lecture["Polymer"], lecture_pairs["Polymer_i"].astype(str))
    for column in [*pairs.FEATURES, pairs.TARGET]:
        np.testing.assert_array_equal(lecture[column].to_numpy(), lecture_pairs[column].to_numpy())


def test_pairs_are_combinations_order(lecture_pairs):
    """Pair (i, j) has i < j, same polymer, in itertools.combinations order inside a polymer."""
    expected = list(combinations(range(49), 2)) + [
        (i + 49, j + 49) for i, j in combinations(range(49), 2)
    ]
    actual = list(zip(lecture_pairs["i"].tolist(), lecture_pairs["j"].tolist(), strict=True))
    assert actual == expected
    assert (lecture_pairs["Polymer_i"] == lecture_pairs["Polymer_j"]).all()
    assert (lecture_pairs["Tg_diff"] == 0).all()


def test_pair_split_equals_sklearn(lecture_pairs):
    """Split 'pairs': test rows are train_test_split(range(n), test_size=0.2, random_state=0)."""
    n = len(lecture_pairs)
    _, test_rows = train_test_split(range(n), test_size=0.2, random_state=0)
    actual = np.flatnonzero((lecture_pairs["split"] == "test").to_numpy())
    np.testing.assert_array_equal(actual, np.sort(test_rows))
    assert len(actual) == 471  # ceil(0.2 * 2352)


@pytest.mark.parametrize(("n", "test_size", "seed"), [(10, 0.2, 0), (2352, 0.2, 0), (101, 0.33, 5)])
def test_lecture_test_indices_equals_sklearn(n, test_size, seed):
    """lecture_test_indices reproduces sklearn's train_test_split test set, in order."""
    _, expected = train_test_split(range(n), test_size=test_size, random_state=seed)
    np.testing.assert_array_equal(lecture_test_indices(n, test_size, seed), expected)


def test_points_split_has_no_leak(lecture_points, lecture_pair_settings):
    """Split 'points': no point is in both a train pair and a test pair; both sides non-empty."""
    table = _make(lecture_points, split="points")
    is_test = (table["split"] == "test").to_numpy()
    train_points = set(table.loc[~is_test, "i"]) | set(table.loc[~is_test, "j"])
    test_points = set(table.loc[is_test, "i"]) | set(table.loc[is_test, "j"])
    assert train_points and test_points
    assert train_points.isdisjoint(test_points)
    # 49 points per polymer: ceil(0.2 * 49) = 10 test points, 39 train points
    assert len(test_points) == 20 and len(train_points) == 78
    assert is_test.sum() == 2 * (10 * 9 // 2)
    assert (~is_test).sum() == 2 * (39 * 38 // 2)


def test_temperature_split_extrapolates(lecture_points, lecture_pair_settings):
    """Split 'temperature': train pairs below the threshold, test pairs above it, none across."""
    table = _make(lecture_points, split="temperature", test_above_T_C=75)
    T_C = lecture_points["T_C"].to_numpy()
    for split, hot in (("train", False), ("test", True)):
        rows = table[table["split"] == split]
        assert ((T_C[rows["i"]] > 75) == hot).all() and ((T_C[rows["j"]] > 75) == hot).all()
    # T_C grid 23 .. 100 in 7 steps: 87.2 and 100 are above 75 -> 7 M x 2 T = 14 test points
    assert (table["split"] == "test").sum() == 2 * (14 * 13 // 2)
    assert (table["split"] == "train").sum() == 2 * (35 * 34 // 2)


def test_points_split_is_seeded(lecture_points, lecture_pair_settings):
    """The 'points' split depends on split_seed only: same seed same table, other seed differs."""
    first = _make(lecture_points, split="points", split_seed=3)
    pd.testing.assert_frame_equal(first, _make(lecture_points, split="points", split_seed=3))
    other = _make(lecture_points, split="points", split_seed=4)
    assert _pair_keys(first) != _pair_keys(other)


def test_scope_all_pairs_across_polymers(lecture_points, lecture_pair_settings):
    """Scope 'all': 98*97/2 pairs, cross-polymer ones with Tg_diff = Tg_i - Tg_j = +-100 K."""
    table = _make(lecture_points, scope="all")
    assert len(table) == 98 * 97 // 2
    cross = (table["Polymer_i"] != table["Polymer_j"]).to_numpy()
    assert cross.sum() == 49 * 49
    assert set(np.unique(table.loc[cross, "Tg_diff"])) == {100.0}  # PP (273 K) before HDPE (173 K)
    assert (table.loc[~cross, "Tg_diff"] == 0).all()


def test_max_pairs_subsample(lecture_points, lecture_pair_settings, lecture_pairs):
    """max_pairs gives exactly that many rows, deterministically, each a row of the full table."""
    first = _make(lecture_points, max_pairs=300)
    second = _make(lecture_points, max_pairs=300)
    assert len(first) == 300
    pd.testing.assert_frame_equal(first, second)
    full = lecture_pairs.set_index(["i", "j"])[[*pairs.FEATURES, pairs.TARGET]]
    sub = first.set_index(["i", "j"])[[*pairs.FEATURES, pairs.TARGET]]
    assert sub.index.is_unique
    pd.testing.assert_frame_equal(sub, full.loc[sub.index])
    # the lecture's pair split, applied to the 300 rows kept
    assert (first["split"] == "test").sum() == 60


def test_max_pairs_above_available_keeps_all(lecture_points, lecture_pair_settings, lecture_pairs):
    """A cap larger than the number of pairs leaves the table unchanged."""
    pd.testing.assert_frame_equal(_make(lecture_points, max_pairs=10_000), lecture_pairs)


@pytest.mark.parametrize("n", [2, 3, 4, 7, 49, 200])
def test_triu_from_linear_matches_itertools(n):
    """Pair number k maps to the k-th element of combinations(range(n), 2)."""
    expected = np.array(list(combinations(range(n), 2)))
    a, c = pairs.triu_from_linear(np.arange(len(expected)), np.full(len(expected), n))
    np.testing.assert_array_equal(np.column_stack([a, c]), expected)


def test_triu_from_linear_large_n_row_boundaries():
    """n = 10^6 (5e11 pairs): the closed form is exact at row starts and ends (float rounding)."""
    n = 1_000_000
    rows = np.array([0, 1, 2, 1000, 123_456, 500_000, 999_997, 999_998], dtype=np.int64)
    starts = rows * (2 * n - rows - 1) // 2
    k = np.concatenate([starts, starts + (n - rows - 2)])  # first and last pair of each row
    a, c = pairs.triu_from_linear(k, np.full(len(k), n))
    np.testing.assert_array_equal(a, np.concatenate([rows, rows]))
    np.testing.assert_array_equal(c, np.concatenate([rows + 1, np.full(len(rows), n - 1)]))


def test_triu_from_linear_mixed_block_sizes():
    """Each k is read against its own n (vectorised over blocks of different sizes)."""
    a, c = pairs.triu_from_linear(np.array([0, 2, 5, 0]), np.array([3, 3, 4, 2]))
    np.testing.assert_array_equal(a, [0, 1, 2, 0])
    np.testing.assert_array_equal(c, [1, 2, 3, 1])


def test_write_pairs_streaming_equals_make_pairs(tmp_path, lecture_points, lecture_pairs):
    """Writing in chunks of 100 rows (24 row groups) gives the in-memory table and its counts."""
    path = tmp_path / "pairs.parquet"
    [counts] = pairs.write_pairs(lecture_points, *_setup(), [path], chunk_rows=100)
    assert counts == {"n_pairs": 2352, "n_available": 2352, "train": 1881, "test": 471,
                      "all_pairs": False, "scope": "within"}  # fmt: skip
    import pyarrow.parquet as pq

    assert pq.ParquetFile(path).num_row_groups == 24
    pd.testing.assert_frame_equal(io.read_parquet(path), lecture_pairs)


def test_write_pairs_streaming_points_split_subsampled(tmp_path, lecture_points):
    """Streaming equals make_pairs also for scope 'all', split 'points' and a max_pairs cap."""
    setup = _setup(scope="all", split="points", test_size=0.25, split_seed=1, max_pairs=777)
    path = tmp_path / "pairs.parquet"
    [counts] = pairs.write_pairs(lecture_points, *setup, [path], chunk_rows=100)
    expected = pairs.make_pairs(lecture_points, *setup)
    pd.testing.assert_frame_equal(io.read_parquet(path), expected)
    assert counts["n_pairs"] == 777 == counts["train"] + counts["test"]
    assert counts["test"] == (expected["split"] == "test").sum()


def test_chunks_cover_table(lecture_points, lecture_pairs):
    """PairPlan.chunks yields consecutive pieces that concatenate to the whole table."""
    [plan] = pairs.fold_plans(lecture_points, *_setup())
    pieces = list(plan.chunks(1000))
    assert [len(p) for p in pieces] == [1000, 1000, 352]
    pd.testing.assert_frame_equal(pd.concat(pieces, ignore_index=True), lecture_pairs)


def test_pair_table_formulas():
    """Hand example: two points, features ln(M_i/M_j), 1/T_i - 1/T_j, Tg_i - Tg_j, target."""
    points = pd.DataFrame(
        {
            "Polymer": ["A", "B"],
            "M": [200.0, 100.0],
            "T": [300.0, 400.0],
            "Tg": [250.0, 200.0],
            "logD": [-20.0, -18.5],
        }
    )
    table = pairs.pair_table(points, np.array([0]), np.array([1]), np.array([True]), ["A", "B"])
    row = table.iloc[0]
    assert row["logM_ratio"] == pytest.approx(np.log(2.0))
    assert row["invT_diff"] == pytest.approx(1 / 300 - 1 / 400)
    assert row["Tg_diff"] == 50.0
    assert row["logD_ratio"] == -1.5
    assert (row["Polymer_i"], row["Polymer_j"], row["split"]) == ("A", "B", "test")


def test_select_group(lecture_points, lecture_pairs):
    """pooled keeps all pairs; a polymer keeps only pairs with both points of that polymer."""
    assert pairs.select_group(lecture_pairs, pairs.POOLED) is lecture_pairs
    pp = pairs.select_group(lecture_pairs, "PP")
    assert len(pp) == 1176
    assert (pp["Polymer_i"] == "PP").all() and (pp["Polymer_j"] == "PP").all()

    all_pairs = _make(lecture_points, scope="all")
    hdpe = pairs.select_group(all_pairs, "HDPE")
    assert len(hdpe) == 1176  # the 49 * 49 cross pairs are left out
    assert (hdpe["Tg_diff"] == 0).all()
    assert len(pairs.select_group(all_pairs, "PS")) == 0


def test_write_pairs_with_no_pairs_writes_empty_table(tmp_path, lecture_points):
    """One point per polymer gives no pair: write_pairs should write an empty table."""
    one_each = lecture_points.groupby("Polymer", sort=False).head(1).reset_index(drop=True)
    [counts] = pairs.write_pairs(one_each, *_setup(), [tmp_path / "pairs.parquet"])
    assert counts == {"n_pairs": 0, "n_available": 0, "train": 0, "test": 0,
                      "all_pairs": False, "scope": "within"}  # fmt: skip
    assert len(io.read_parquet(tmp_path / "pairs.parquet")) == 0


def test_splits_registry_and_their_keys():
    """Each split is registered under its name and reads only its own keys of ``pairs``."""
    assert set(SPLITS) == {"pairs", "points", "temperature", "k_fold", "leave_one_group_out"}
    assert SPLITS["k_fold"].config_keys() == ("k", "split_seed")
    assert SPLITS["leave_one_group_out"].config_keys() == ("leave_out",)
    assert SPLITS["pairs"].config_keys() == ("test_size", "split_seed")
    assert SPLITS["points"].config_keys() == ("test_size", "split_seed")
    assert SPLITS["temperature"].config_keys() == ("test_above_T_C",)
    one_fold = [SPLITS[name] for name in ("pairs", "points", "temperature")]
    assert all(split.get_n_splits(split.from_config(LECTURE | {"test_above_T_C": 50.0})) == 1
               for split in one_fold)  # fmt: skip


def test_point_split_yields_sklearn_like_folds(lecture_points):
    """split(points, strata) yields one (train, test) pair of disjoint point indices covering all
    points; stratified: ceil(0.2 * 49) = 10 test points per polymer."""
    split = SPLITS["points"](test_size=0.2, split_seed=0)
    strata = pairs.scope_strata(lecture_points, "within")
    [(train, test)] = list(split.split(lecture_points, strata))
    assert np.intersect1d(train, test).size == 0
    np.testing.assert_array_equal(np.union1d(train, test), np.arange(len(lecture_points)))
    assert (lecture_points["Polymer"].to_numpy()[test] == "PP").sum() == 10


def test_expected_pair_counts_are_exact_without_a_cap(lecture_points):
    """The counts validation uses (no pair built) equal the pairs then built, per group."""
    for changes in ({"split": "points"}, {"split": "temperature", "test_above_T_C": 75.0}):
        setup = _setup(**changes)
        [counts] = pairs.expected_pair_counts(lecture_points, *setup, ["pooled", "PP"])
        table = pairs.make_pairs(lecture_points, *setup)
        for group in ("pooled", "PP"):
            sides = pairs.select_group(table, group)["split"].value_counts()
            assert counts[group] == {side: float(sides[side]) for side in pairs.SIDES}
    [counts] = pairs.expected_pair_counts(lecture_points, *_setup(), ["pooled"])
    assert counts["pooled"] == {"train": 1881.0, "test": 471.0}


def test_k_fold_holds_every_point_out_once_stratified(lecture_points):
    """k = 3: every point is a test point in exactly one fold, each fold ~1/3 of each polymer;
    the pairs of a fold are within its train points or within its test points."""
    setup = _setup(split="k_fold", k=3, split_seed=1)
    sides = pairs.fold_sides(lecture_points, "within", setup[1])
    assert len(sides) == 3
    test_count = sum((side == "test").astype(int) for side in sides)
    np.testing.assert_array_equal(test_count, 1)
    for side in sides:
        per_polymer = lecture_points.assign(test=side == "test").groupby("Polymer")["test"].sum()
        assert set(per_polymer) <= {16, 17}
    for fold, side in enumerate(sides):
        table = pairs.make_pairs(lecture_points, *setup, fold=fold)
        is_test = (table["split"] == "test").to_numpy()
        assert (side[table["i"]][is_test] == "test").all()
        assert (side[table["j"]][~is_test] == "train").all()


def test_leave_one_polymer_out(lecture_points):
    """One fold per polymer: its points are the test points."""
    split = split_from_config({**LECTURE, "split": "leave_one_group_out", "leave_out": "polymer"})
    assert split.get_n_splits(lecture_points) == 2
    sides = pairs.fold_sides(lecture_points, "within", split)
    assert (sides[0][(lecture_points["Polymer"] == "PP").to_numpy()] == "test").all()
    assert (sides[1][(lecture_points["Polymer"] == "PP").to_numpy()] == "train").all()
    by_T = split_from_config(
        {**LECTURE, "split": "leave_one_group_out", "leave_out": "temperature"}
    )
    assert by_T.get_n_splits(lecture_points) == 7
