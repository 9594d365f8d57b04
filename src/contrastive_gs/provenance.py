"""What made a results folder: the resolved configuration, the code's version (git), Python and
the key packages' versions, and the Snakemake command line of the run.

The record is written by the run that last changed the results (the ``provenance`` rule depends
on every other output); none of its fields is a rule parameter, so a new commit, package or
command line does not by itself rerun any job.
"""

from __future__ import annotations

import datetime
import html
import importlib.metadata
import os
import platform
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from contrastive_gs import io

# Distributions whose versions decide the numbers (and the workflow engine).
PACKAGES = (
    "contrastive-gs", "snakemake", "numpy", "pandas", "scipy", "scikit-learn", "statsmodels",
    "torch", "matplotlib", "pyarrow", "pyoperon", "sympy", "scikit-bio",
)  # fmt: skip
# Set by the workflow when it is parsed, read by the provenance job (a local job, so it shares
# the environment of the Snakemake process): not params, so that they rerun nothing.
COMMAND_ENV = "CONTRASTIVE_GS_COMMAND"  # the Snakemake command line
SOURCE_ENV = "CONTRASTIVE_GS_SOURCE"  # the folder of the workflow's rules
NOT_A_CHECKOUT = "not a git checkout"


def _git(source_dir: str | os.PathLike, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(source_dir), *args],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout.strip()  # fmt: skip


def code_version(source_dir: str | os.PathLike) -> dict[str, Any]:
    """The git commit of the workflow's source folder and whether its tracked files differ from
    it (``dirty``); ``{"commit": "not a git checkout"}`` outside a git checkout or without git."""
    try:
        commit = _git(source_dir, "rev-parse", "HEAD")
        changed = _git(source_dir, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return {"commit": NOT_A_CHECKOUT}
    return {"commit": commit, "dirty": bool(changed)}


def package_versions(packages: Sequence[str] = PACKAGES) -> dict[str, str]:
    """Python's version and each installed distribution's (``not installed`` otherwise)."""
    versions = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _plain(value: Any) -> Any:
    """Config values as YAML writes them plainly (tuples and other sequences as lists)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def record(
    config: Mapping[str, Any],
    source_dir: str | os.PathLike,
    command: str,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    """The provenance of a run: when (UTC, ISO 8601), the command line, the code, the packages
    and the resolved configuration (after every ``--configfile`` and ``--config`` and the
    schema's defaults)."""
    now = now or datetime.datetime.now(datetime.UTC)
    return {
        "written_utc": now.replace(microsecond=0).isoformat(),
        "command": command,
        "workflow": {"source": str(Path(source_dir).resolve()), **code_version(source_dir)},
        "host": {"machine": platform.machine(), "system": platform.system()},
        "versions": package_versions(),
        "config": _plain(config),
    }


def write_yaml(provenance: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Write the record as YAML, in the order of :func:`record` (readable top to bottom)."""
    text = yaml.safe_dump(dict(provenance), sort_keys=False, default_flow_style=False)
    with io.atomic_path(path) as tmp:
        tmp.write_text(text)


def write_html(provenance: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Write the record as a small HTML page (the report shows HTML inline): a table of the
    run, code and versions, then the resolved configuration as YAML."""
    facts = {
        "written (UTC)": provenance["written_utc"],
        "command": provenance["command"],
        **{f"workflow {key}": value for key, value in provenance["workflow"].items()},
        **{f"host {key}": value for key, value in provenance["host"].items()},
        **provenance["versions"],
    }
    rows = "\n".join(
        f"<tr><th>{html.escape(str(key))}</th><td>{html.escape(str(value))}</td></tr>"
        for key, value in facts.items()
    )
    configuration = yaml.safe_dump(provenance["config"], sort_keys=False)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Provenance</title>'
        "<style>body{font-family:system-ui,sans-serif;font-size:14px;margin:1em}"
        "th{text-align:left;padding:2px 12px 2px 0;color:#333}td{font-family:monospace}"
        "pre{background:#f6f6f6;padding:0.6em;font-size:12px}</style></head><body>\n"
        "<h1>Provenance of these results</h1>\n"
        "<p>The run that last changed them: its command, the workflow's code, the packages, and "
        "the resolved configuration.</p>\n"
        f"<table>\n{rows}\n</table>\n<h2>Resolved configuration</h2>\n"
        f"<pre>{html.escape(configuration)}</pre>\n</body></html>\n"
    )
    with io.atomic_path(path) as tmp:
        tmp.write_text(page)
