"""Benchmark of contrastive pair construction: the lecture's loop against ``pairs.make_pairs``.

What it measures
----------------
1. Speed-up.  The lecture's pairing loop (section 3: ``itertools.combinations`` over each
   polymer's rows, ``subset.loc[i]`` per row, one dict appended per pair, ``pd.DataFrame`` at
   the end), copied faithfully, against the vectorised ``pairs.make_pairs`` with the lecture's
   settings (scope ``within``, split ``pairs``, test_size 0.2, seed 0, no ``max_pairs``), on the
   same points of ``data.simulate`` (PP Tg 273 K and HDPE Tg 173 K, Ka 140 K, Kb 40 K, M
   linspace(40, 500), T linspace(23, 100) degC).  The loop runs once (it takes seconds); the
   vectorised call is the best of ``--repeats`` after one warm-up.  Both tables are checked to
   hold the same pairs in the same order with the same features and target.
   ``speedup`` = loop time / vectorised time on the ``--grid`` grid; ``pairs_per_s`` = pairs per
   second of the vectorised call on that grid.  The lecture's own 7 x 7 grid is timed too, for
   information (there the fixed cost of a call dominates).
2. Scale.  A ``--large-grid`` x ``--large-grid`` grid per polymer (default 100 x 100: 10,000 points
   and 49,995,000 pairs per polymer, ~1e8 in all) streamed to Parquet with ``pairs.write_pairs``,
   once with ``max_pairs`` unset and once with ``max_pairs = --max-pairs``.  Each run is a fresh
   ``python -c`` child so that its peak memory (``ru_maxrss`` of the child, which includes the
   ~0.2 GB of imports and points) is its own; wall time is that of ``write_pairs`` alone.  Rows and
   row groups come from the Parquet footer, not from reading the file.  Files are written to a
   temporary directory (``--tmpdir``) and deleted afterwards; the runs are skipped when less than
   15 GB is free there.

Targets (the issue): speedup >= 1000; the 100 x 100 grid streamed with peak memory < 4 GB.
The last line printed is ``RESULT speedup=<x> pairs_per_s=<n> peak_mb_100x100=<m>``, where
``peak_mb_100x100`` is the peak RSS (MB) of the run with ``max_pairs`` unset.

Usage: ``python bench/pairs.py`` (a few minutes), ``python bench/pairs.py --grid 10 --skip-large``
(seconds).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from contrastive_gs.data import SimulationSettings, simulate
from contrastive_gs.laws.lecture import LectureLaw
from contrastive_gs.pairs import FEATURES, TARGET, PairSettings, make_pairs
from contrastive_gs.polymers import Polymer
from contrastive_gs.splits.pairs import PairSplit

LECTURE_POLYMERS = (Polymer("PP", 273.0, 1.0), Polymer("HDPE", 173.0, 1.0))
LECTURE_SETTINGS = PairSettings("within", None, 0)
LECTURE_SPLIT = PairSplit(test_size=0.2, split_seed=0)
MIN_FREE_GB = 15.0
MB = 1e6


def lecture_points(n_M: int, n_T: int) -> pd.DataFrame:
    """The lecture's points (noise-free) on an n_M x n_T grid per polymer."""
    return simulate(
        SimulationSettings(
            law=LectureLaw(M0=100.0, D0=1e-9),
            values={"Ka": 140.0, "Kb": 40.0},
            noise=0.0,
            noise_seed=0,
            M=np.linspace(40.0, 500.0, n_M),
            T_C=np.linspace(23.0, 100.0, n_T),
            polymers=LECTURE_POLYMERS,
        )
    )


def lecture_loop(points: pd.DataFrame) -> pd.DataFrame:
    """The lecture's pairing loop (section 3), verbatim but for the copy of ``points``."""
    df = points.copy()
    df["logD"] = np.log(df["D"])
    contrastive_data = []

    for polymer in df["Polymer"].unique():
        subset = df[df["Polymer"] == polymer].reset_index(drop=True)
        for i, j in combinations(range(len(subset)), 2):
            row_i = subset.loc[i]
            row_j = subset.loc[j]

            logD_ratio = row_i["logD"] - row_j["logD"]
            logM_ratio = np.log(row_i["M"] / row_j["M"])
            invT_diff = (1 / row_i["T"]) - (1 / row_j["T"])
            Tg_diff = row_i["Tg"] - row_j["Tg"]

            contrastive_data.append(
                {
                    "Polymer": polymer,
                    "logM_ratio": logM_ratio,
                    "invT_diff": invT_diff,
                    "Tg_diff": Tg_diff,
                    "logD_ratio": logD_ratio,
                }
            )

    return pd.DataFrame(contrastive_data)


def best_time(fn, repeats: int):
    """Best wall time of ``repeats`` calls after one warm-up; returns (seconds, last result)."""
    result = fn()
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def compare(n: int, repeats: int) -> dict:
    """Time the loop (once) and make_pairs (best of ``repeats``) on n x n; check they agree."""
    points = lecture_points(n, n)
    start = time.perf_counter()
    loop_df = lecture_loop(points)
    loop_s = time.perf_counter() - start
    vec_s, vec_df = best_time(lambda: make_pairs(points, LECTURE_SETTINGS, LECTURE_SPLIT), repeats)

    if len(loop_df) != len(vec_df):
        raise AssertionError(f"{n}x{n}: loop has {len(loop_df)} pairs, make_pairs {len(vec_df)}")
    if not (loop_df["Polymer"].to_numpy() == vec_df["Polymer_i"].to_numpy(dtype=object)).all():
        raise AssertionError(f"{n}x{n}: polymers of the pairs differ")
    columns = [*FEATURES, TARGET]
    diff = float(np.max(np.abs(loop_df[columns].to_numpy() - vec_df[columns].to_numpy())))
    if not diff < 1e-12:
        raise AssertionError(f"{n}x{n}: features/target differ by up to {diff:.3g}")
    return {
        "grid": f"{n}x{n}",
        "pairs": len(vec_df),
        "loop_s": loop_s,
        "vec_s": vec_s,
        "speedup": loop_s / vec_s,
        "max_abs_diff": diff,
    }


# The child: simulate the large grid, stream its pairs to Parquet, report time and peak RSS.
CHILD = """
import dataclasses, json, resource, sys, time
from contrastive_gs.pairs import write_pairs
sys.path.insert(0, sys.argv[1])
from pairs import LECTURE_SETTINGS, LECTURE_SPLIT, lecture_points
n, max_pairs, path = int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
points = lecture_points(n, n)
base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
settings = dataclasses.replace(LECTURE_SETTINGS, max_pairs=max_pairs)
start = time.perf_counter()
[counts] = write_pairs(points, settings, LECTURE_SPLIT, [path])
wall = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"wall_s": wall, "base_kb": base_kb, "peak_kb": peak_kb, **counts}))
"""


def stream_large(n: int, max_pairs: int | None, directory: Path) -> dict:
    """One write_pairs run on an n x n grid in a fresh interpreter; the file is deleted after."""
    import pyarrow.parquet as pq

    path = directory / f"pairs_{n}x{n}_{max_pairs}.parquet"
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(Path(__file__).resolve().parent), str(n)]
        + [json.dumps(max_pairs), str(path)],
        capture_output=True,
        text=True,
    )
    child_s = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"write_pairs child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    meta = pq.ParquetFile(path).metadata
    size = path.stat().st_size
    path.unlink()
    if meta.num_rows != out["n_pairs"]:
        raise AssertionError(f"file has {meta.num_rows} rows, write_pairs says {out['n_pairs']}")
    return {
        "case": f"{n}x{n} max_pairs={'unset' if max_pairs is None else f'{max_pairs:,}'}",
        "rows": meta.num_rows,
        "row_groups": meta.num_row_groups,
        "wall_s": out["wall_s"],
        "child_s": child_s,
        "rows_per_s": meta.num_rows / out["wall_s"],
        "base_mb": out["base_kb"] * 1024 / MB,
        "peak_mb": out["peak_kb"] * 1024 / MB,
        "file_mb": size / MB,
        "test": out["test"],
    }


def table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    """Plain-text table: columns are (key, header, format spec)."""
    cells = [[h for _, h, _ in columns]]
    cells += [[format(r[k], f) for k, _, f in columns] for r in rows]
    widths = [max(len(row[c]) for row in cells) for c in range(len(columns))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grid", type=int, default=20, help="n of the n x n grid of the speedup")
    parser.add_argument("--repeats", type=int, default=7, help="repeats of make_pairs (best kept)")
    parser.add_argument("--large-grid", type=int, default=100, help="n of the streamed grid")
    parser.add_argument("--max-pairs", type=int, default=1_000_000, help="the capped run's cap")
    parser.add_argument("--skip-large", action="store_true", help="skip the streamed runs")
    parser.add_argument("--tmpdir", default=None, help="where the Parquet files go (deleted)")
    args = parser.parse_args()
    t0 = time.perf_counter()

    grids = sorted({7, args.grid})
    compared = [compare(n, args.repeats) for n in grids]
    for r in compared:
        r["loop_pairs_per_s"] = r["pairs"] / r["loop_s"]
        r["vec_pairs_per_s"] = r["pairs"] / r["vec_s"]
        r["loop_us_per_pair"] = 1e6 * r["loop_s"] / r["pairs"]
    print(
        "Lecture loop vs pairs.make_pairs (same points; loop once, make_pairs best of "
        f"{args.repeats})"
    )
    print(
        table(
            compared,
            [
                ("grid", "grid/polymer", "s"),
                ("pairs", "pairs", ","),
                ("loop_s", "loop s", ".3f"),
                ("loop_us_per_pair", "loop us/pair", ".1f"),
                ("vec_s", "make_pairs s", ".5f"),
                ("loop_pairs_per_s", "loop pairs/s", ",.0f"),
                ("vec_pairs_per_s", "make_pairs pairs/s", ",.0f"),
                ("speedup", "speedup", ",.0f"),
                ("max_abs_diff", "max |diff|", ".1e"),
            ],
        )
    )
    main_row = next(r for r in compared if r["grid"] == f"{args.grid}x{args.grid}")

    streamed: list[dict] = []
    if args.skip_large:
        print("\nStreamed runs skipped (--skip-large).")
    else:
        directory = Path(tempfile.mkdtemp(prefix="bench_pairs_", dir=args.tmpdir))
        try:
            free_gb = shutil.disk_usage(directory).free / 1e9
            if free_gb < MIN_FREE_GB:
                print(
                    f"\nStreamed runs skipped: {free_gb:.1f} GB free in {directory}, "
                    f"need {MIN_FREE_GB:.0f} GB."
                )
            else:
                n = args.large_grid
                for max_pairs in (None, args.max_pairs):
                    streamed.append(stream_large(n, max_pairs, directory))
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    if streamed:
        print(
            f"\npairs.write_pairs to Parquet, {args.large_grid}x{args.large_grid} grid per "
            "polymer, each run in a fresh process (peak = child ru_maxrss)"
        )
        print(
            table(
                streamed,
                [
                    ("case", "case", "s"),
                    ("rows", "rows", ","),
                    ("row_groups", "row groups", "d"),
                    ("wall_s", "write s", ".1f"),
                    ("child_s", "process s", ".1f"),
                    ("rows_per_s", "rows/s", ",.0f"),
                    ("base_mb", "base MB", ",.0f"),
                    ("peak_mb", "peak MB", ",.0f"),
                    ("file_mb", "file MB", ",.0f"),
                    ("test", "test rows", ","),
                ],
            )
        )
    peak = streamed[0]["peak_mb"] if streamed else math.nan
    print(
        f"\nTargets: speedup >= 1000 (got {main_row['speedup']:,.0f}); "
        f"peak < 4000 MB for {args.large_grid}x{args.large_grid} unset (got {peak:,.0f})."
    )
    print(f"Total benchmark time {time.perf_counter() - t0:.0f} s.")
    print(
        f"RESULT speedup={main_row['speedup']:.0f} pairs_per_s={main_row['vec_pairs_per_s']:.0f} "
        f"peak_mb_100x100={peak:.0f}"
    )


if __name__ == "__main__":
    main()
