"""Benchmark: does symbolic regression find the law's closed form from the fits' alpha, and what
does the lecture's symbolic baseline (`sr` on the pair features) reach?

Runs two workflows as a user would (`snakemake --cores 2`) in scratch copies:
1. config/symbolic.yaml: config/recovery.yaml (lecture grid, `points` split, 5 seeds, noise sd 0
   and 0.05 on ln D, every family) with `sr`, `lasso` and the symbolic rule;
2. config/glassy.yaml (PMMA, Ka 252 K, Kb 65 K, r 0.5, T = Tg +- 40 K) with the symbolic rule.
It prints, per case, noise, model and group: how often the law's form `c + Ka/(Kb + x)` was found
over the seeds, Ka and Kb read off the expressions (mean absolute relative error, %), beside the
same model's curve fit of the law's form to its alpha and the kernel fit's; the test R2 of `sr`
against `poly`, `lasso` and the information ceiling; the time of each search (one core) and of
the whole run.  Headline: the structured twin, noise 0, worst group.

    python bench/symbolic.py                  # both cases (about 8 minutes on 2 cores)
    python bench/symbolic.py --cases glassy   # one
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd
from scratch_workflow import project_copy, run_snakemake  # bench/, on sys.path when run

CASES = {"lecture": ("config/symbolic.yaml", False), "glassy": ("config/glassy.yaml", True)}
SYMBOLIC_ON = "symbolic: {enabled: true}\n"  # a second config file, for a config without it
KEYS = ["noise", "model", "group"]


def run_case(scratch: Path, name: str, configfile: str, switch_on: bool) -> dict[str, pd.DataFrame]:
    """The summary tables of one workflow run in a scratch project directory, and its wall;
    ``switch_on``: with a second config file that enables the symbolic rule."""
    directory = project_copy(scratch, name, configfile)
    extra = []
    if switch_on:
        (directory / "symbolic_on.yaml").write_text(SYMBOLIC_ON)
        extra = [str(directory / "symbolic_on.yaml")]  # follows configfile: --configfile A B
    wall = run_snakemake(directory, configfile, *extra)
    print(f"# {name}: {wall:.0f} s", flush=True)
    summary = directory / "results" / "summary"
    tables = {
        table: pd.read_parquet(summary / f"{table}.parquet")
        for table in ("symbolic", "recovery", "metrics", "benchmarks")
    }
    tables["wall"] = pd.DataFrame({"wall_s": [wall]})
    return tables


def _ensure_noise(frame: pd.DataFrame) -> pd.DataFrame:
    return frame if "noise" in frame else frame.assign(noise=0.0)


def symbolic_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per (noise, model, group) with a search: form found k/n, Ka and Kb from the expressions
    and their errors (%), the same model's curve-fit errors and the kernel fit's."""
    fits = _ensure_noise(tables["symbolic"])
    fits = fits[fits["reason"].fillna("") == ""]
    for name in ("Ka", "Kb"):
        fits[f"{name}_err"] = (fits[f"{name}_found"] / fits[f"{name}_true"] - 1).abs() * 100
    rows = fits.groupby(KEYS, sort=False).agg(
        found=("form_matched", "sum"), fits=("form_matched", "size"),
        Ka_found=("Ka_found", "mean"), Ka_found_err=("Ka_err", "mean"),
        Kb_found=("Kb_found", "mean"), Kb_found_err=("Kb_err", "mean"),
    )  # fmt: skip
    recovery = _ensure_noise(tables["recovery"])
    curve = recovery.pivot_table(
        index=KEYS, columns="parameter", values="mean_abs_rel_error_pct", sort=False
    )[["Ka", "Kb"]].add_suffix("_curve_err")
    kernel = curve.xs("kernel", level="model").add_prefix("kernel ")
    table = rows.join(curve).reset_index()
    table = table.merge(kernel.reset_index(), on=["noise", "group"], how="left")
    table["form found"] = table["found"].astype(int).astype(str) + "/" + table["fits"].astype(str)
    return table.drop(columns=["found", "fits"]).rename(
        columns=lambda c: (
            c.replace("_curve_err", " curve err %")
            .replace("_found_err", " err %")
            .replace("_found", " found")
        )
    )


def first_seed_expressions(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The expression of alpha(x = T - Tg) chosen for the first seed of each (noise, model,
    group) with a search."""
    fits = _ensure_noise(tables["symbolic"])
    fits = fits[(fits["reason"].fillna("") == "") & (fits["seed"] == fits["seed"].min())]
    return fits[[*KEYS, "form_matched", "expression"]]


def pair_feature_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """Test R2 (mean over seeds) of sr, poly and lasso per (noise, group), and the ceiling."""
    test = _ensure_noise(metrics)
    test = test[(test["split"] == "test") & test["model"].isin(["sr", "poly", "lasso"])]
    r2 = test.pivot_table(index=["noise", "group"], columns="model", values="r2", sort=False)
    ceiling = test.groupby(["noise", "group"], sort=False)["r2_ceiling"].mean()
    return r2.assign(ceiling=ceiling).reset_index()


def search_times(tables: dict[str, pd.DataFrame]) -> tuple[float, float, int, float]:
    """(median, max) seconds of one search, the number of searches, and the summed wall (s) of
    the symbolic jobs."""
    seconds = tables["symbolic"]["seconds"]
    seconds = seconds[seconds > 0]
    costs = tables["benchmarks"]
    jobs = costs.loc[costs["rule"] == "symbolic", "wall_s"].sum()
    return float(seconds.median()), float(seconds.max()), len(seconds), float(jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    cases = parser.parse_args().cases
    tables = {}
    with tempfile.TemporaryDirectory(prefix="cgs-symbolic-") as scratch:
        for name in cases:
            tables[name] = run_case(Path(scratch), name, *CASES[name])
    results = {name: symbolic_table(case) for name, case in tables.items()}
    with pd.option_context("display.width", 200, "display.float_format", "{:.4g}".format):
        for name, table in results.items():
            print(f"\n{name}: the law's form found over seeds; Ka, Kb read off the expressions")
            print("(err %: mean absolute relative error over the fits where found), beside the")
            print("curve fit of the law's form to the same alpha and the kernel fit's")
            print(table.to_string(index=False))
            print(f"\n{name}: the expression of the first seed (x = T - Tg, K)")
            print(first_seed_expressions(tables[name]).to_string(index=False))
        for name, case in tables.items():
            median, longest, count, jobs = search_times(case)
            wall = case["wall"]["wall_s"][0]
            print(f"\n{name}: {count} searches, median {median:.2f} s, max {longest:.2f} s (one "
                  f"core); symbolic jobs {jobs:.0f} s of the run's {wall:.0f} s wall")  # fmt: skip
        if "lecture" not in tables:
            return
        print("\nsr on the pair features: test R2 (mean over seeds) against poly, lasso, ceiling")
        print(pair_feature_table(tables["lecture"]["metrics"]).to_string(index=False))
    lecture = results["lecture"]
    clean = lecture[(lecture["noise"] == 0) & (lecture["model"] == "twin_structured")]
    found = clean["form found"].str.split("/", expand=True).astype(int)
    median, _, _, _ = search_times(tables["lecture"])
    print(
        f"RESULT form_found={found[0].sum()}/{found[1].sum()} "
        f"form_found_min_group={found[0].min()}/{found[1].min()} "
        f"Ka_err_pct={clean['Ka err %'].max():.3f} Kb_err_pct={clean['Kb err %'].max():.3f} "
        f"median_fit_s={median:.2f}"
    )


if __name__ == "__main__":
    main()
