"""Benchmark: does the workflow recover the scaling law, and what does structure buy?

Runs two workflows as a user would (`snakemake --cores 2`) in scratch copies:
1. config/recovery.yaml: the lecture's grid, `points` split, 5 seeds, every model family, noise sd
   0 and 0.05 on ln D;
2. config/glassy.yaml: PMMA-like glassy data (Ka 252 K, Kb 65 K, r 0.5, T = Tg +- 40 K).
It prints, per case, model and group: test R2 (mean over seeds) and the mean absolute relative
error over seeds (%) of Ka, Kb (and r) against the truth; then the headline figures of
twin_structured: worst-group errors without noise, min test R2, the ratio of its errors to the
kernel fit's under noise (worst case), and the worst glassy error.

    python bench/recovery.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from scratch_workflow import project_copy, run_snakemake  # bench/, on sys.path when run

CASES = {"recovery": "config/recovery.yaml", "glassy": "config/glassy.yaml"}


def run_case(scratch: Path, name: str, configfile: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(metrics, recovery) tables of one workflow run in a scratch project directory."""
    directory = project_copy(scratch, name, configfile)
    print(f"# {name}: {run_snakemake(directory, configfile):.0f} s", flush=True)
    summary = directory / "results" / "summary"
    return pd.read_parquet(summary / "metrics.parquet"), pd.read_parquet(
        summary / "recovery.parquet"
    )


def model_table(metrics: pd.DataFrame, recovery: pd.DataFrame) -> pd.DataFrame:
    """Per (noise, model, group): test R2 (mean over seeds) and error (%) of each parameter."""
    keys = ["noise", "model", "group"]
    r2 = metrics[metrics["split"] == "test"].groupby(keys, sort=False)["r2"].mean()
    errors = recovery.pivot_table(
        index=keys, columns="parameter", values="mean_abs_rel_error_pct", dropna=False, sort=False
    )
    table = pd.concat([r2.rename("R2 test"), errors.add_suffix(" err %")], axis=1)
    return table.reset_index()


def main() -> None:
    tables = {}
    with tempfile.TemporaryDirectory(prefix="cgs-recovery-") as scratch:
        for name, configfile in CASES.items():
            tables[name] = model_table(*run_case(Path(scratch), name, configfile))
    with pd.option_context("display.width", 160, "display.float_format", "{:.4g}".format):
        for name, table in tables.items():
            print(f"\n{name} (errors: mean absolute relative error over seeds, %; NaN: alpha")
            print("is one number for all T, so Ka and Kb cannot be identified)")
            print(table.to_string(index=False))
    lecture = tables["recovery"]
    clean = lecture[(lecture["noise"] == 0) & (lecture["model"] == "twin_structured")]
    noisy = lecture[lecture["noise"] > 0].set_index(["model", "group"])
    ratios = (
        noisy.loc["twin_structured", ["Ka err %", "Kb err %"]]
        / noisy.loc["kernel", ["Ka err %", "Kb err %"]]
    )
    glassy = tables["glassy"]
    glassy = glassy[glassy["model"] == "twin_structured"]
    print("\ntwin_structured / kernel error ratio under noise, per group:")
    print(ratios.to_string())
    print("\nalpha err %: mean absolute relative error of the recovered alpha over the grid points")
    print(
        f"RESULT Ka_err_pct={clean['Ka err %'].max():.3f} Kb_err_pct={clean['Kb err %'].max():.3f} "
        f"r2_test={clean['R2 test'].min():.6f} noise_vs_kernel={ratios.to_numpy().max():.2f} "
        f"glassy_max_err_pct={glassy[['Ka err %', 'Kb err %', 'r_glassy err %']].max().max():.3f}"
    )


if __name__ == "__main__":
    main()
