"""Run the project's Snakemake workflow on a tiny config in a scratch directory (for tests)."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEFILE = ROOT / "Snakefile"
SUMMARY_JOBS = {
    "aggregate": 1, "sweep_figures": 1, "aggregate_recovery": 1, "aggregate_predictions": 1,
    "overview": 1, "benchmarks": 1, "provenance": 1, "all": 1,
}  # fmt: skip
"""The jobs that rerun after any change upstream: summaries over every fit, the run record."""


def default_config() -> dict[str, Any]:
    """The shipped config.yaml (the lecture)."""
    return yaml.safe_load((ROOT / "config.yaml").read_text())


def tiny_config() -> dict[str, Any]:
    """The lecture on a 3 x 4 grid with a 20-epoch network: seconds, not minutes."""
    config = copy.deepcopy(default_config())
    config["data"]["M"]["num"] = 3
    config["data"]["T_C"]["num"] = 4
    config["nn"]["epochs"] = 20
    config["nn"]["log_every"] = 10
    return config


class Workflow:
    """A scratch project directory holding ``config.yaml``; runs snakemake there."""

    def __init__(self, directory: Path, config: dict[str, Any]):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.write_config(config)

    def write_config(self, config: dict[str, Any]) -> None:
        self.config = copy.deepcopy(config)
        (self.directory / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))

    def run(
        self,
        *args: str,
        check: bool = True,
        timeout: float = 600,
        wrapper: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess:
        """``snakemake --cores 2 ARGS`` in the scratch directory; output captured as text.

        ``wrapper`` goes in front of the command, e.g. ``("timeout", "-k", "10", "300")``;
        ``env``: variables added to this process's environment.
        """
        command = [
            *wrapper, sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE),
            "--directory", str(self.directory), "--cores", "2", *args,
        ]  # fmt: skip
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"snakemake {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-5000:]}"
            )
        return result

    def scheduled_jobs(self, *args: str) -> Counter:
        """Jobs that a dry run (with ARGS) would execute, per rule (empty when up to date)."""
        output = self.run("--dry-run", *args).stdout
        table = re.search(r"Job stats:\n.*?\n-+\s+-+\n(.*?)\ntotal", output, re.S)
        if table is None:
            assert "Nothing to be done" in output, output[-3000:]
            return Counter()
        jobs = Counter()
        for line in table.group(1).splitlines():
            rule, count = line.split()
            jobs[rule] = int(count)
        return jobs

    def path(self, *parts: str) -> Path:
        return self.directory.joinpath(*parts)
