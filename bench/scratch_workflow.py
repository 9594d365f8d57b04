"""The workflow run as a user would (`snakemake --cores 2` with a config file) in a scratch copy
of the project's configs; shared by the benchmarks."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def project_copy(parent: Path, name: str, configfile: str) -> Path:
    """A scratch project directory ``parent/name`` with config.yaml and ``configfile`` (a path
    relative to the project root, e.g. ``config/sweep.yaml``)."""
    directory = parent / name
    (directory / configfile).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "config.yaml", directory / "config.yaml")
    shutil.copy(ROOT / configfile, directory / configfile)
    return directory


def run_snakemake(directory: Path, configfile: str, *args: str) -> float:
    """Wall time (s) of `snakemake --cores 2 --configfile CONFIGFILE ARGS` on the project's
    Snakefile in ``directory`` (with its copy of ``configfile``); SystemExit with the end of its
    stderr if it fails."""
    command = [sys.executable, "-m", "snakemake", "all", "--snakefile", str(ROOT / "Snakefile"),
               "--directory", str(directory), "--cores", "2", "--quiet", "all",
               "--configfile", str(directory / configfile), *args]  # fmt: skip
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"snakemake failed in {directory}:\n{result.stderr[-3000:]}")
    return elapsed
