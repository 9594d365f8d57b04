"""Pinned dependencies: pyproject.toml, requirements.lock and the conda environment of the rules
pin the same versions, so that a pip install and ``--sdm conda`` give the same numbers."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT


def _name(text: str) -> str:
    """A distribution name in its normal form (PEP 503: case and -_. runs folded)."""
    return re.sub(r"[-_.]+", "-", text.strip()).lower()


def _pins(lines, separator: str) -> dict[str, str]:
    return {
        _name(name): version.strip()
        for name, version in (line.split(separator, 1) for line in lines if separator in line)
    }


def lock() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    return _pins([line for line in lines if not line.startswith("#")], "==")


def test_every_pyproject_pin_is_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += extra
    pins = _pins(requirements, "==")
    assert len(pins) == len(requirements), "every dependency is pinned with =="
    locked = lock()
    assert {name: locked.get(name) for name in pins} == pins


def test_every_conda_environment_pin_is_the_lock():
    environment = yaml.safe_load((ROOT / "envs" / "contrastive-gs.yaml").read_text())
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    pins = {
        **_pins([d for d in conda if not d.startswith(("python=", "pip"))], "="),
        **_pins([d for d in pip if not d.startswith("-e")], "=="),
    }
    locked = lock()
    assert {name: locked.get(name) for name in pins} == pins
    assert {"pyoperon", "sympy", "scikit-bio"} <= set(pins)  # the symbolic regression and PCoA
