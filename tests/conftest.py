"""Shared fixtures: the repository's default (lecture) configuration and its points and pairs.

Session-scoped frames are shared between tests: a test must not modify them in place.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from contrastive_gs import config, data, pairs
from contrastive_gs.splits import split_from_config

ROOT = Path(__file__).resolve().parents[1]
CONFIG_PATH = ROOT / "config.yaml"
SCHEMA_PATH = ROOT / "workflow" / "schemas" / "config.schema.yaml"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Test files with end-to-end workflow runs first, each file's tests in their order: `make
    test` gives each worker whole files in this order (--no-loadscope-reorder), so that the long
    files start at once and the short ones fill the end, rather than a long one running alone."""
    slow_files = {item.path for item in items if item.get_closest_marker("workflow")}
    items.sort(key=lambda item: item.path not in slow_files)


@pytest.fixture(scope="session")
def schema() -> dict:
    """The JSON schema of the configuration."""
    return config.load_schema(SCHEMA_PATH)


@pytest.fixture(scope="session")
def _lecture_config_pristine() -> dict:
    return yaml.safe_load(CONFIG_PATH.read_text())


@pytest.fixture
def lecture_config(_lecture_config_pristine) -> dict:
    """A fresh deep copy of the default config.yaml (the lecture), free to modify."""
    return copy.deepcopy(_lecture_config_pristine)


@pytest.fixture(scope="session")
def lecture_points(_lecture_config_pristine, schema):
    """The lecture's 98 points (PP and HDPE, 7 M x 7 T), from the default config."""
    lecture = copy.deepcopy(_lecture_config_pristine)
    polymers = config.validate_config(lecture, schema)
    law = config.law_of(lecture)
    return data.simulate(data.settings_from_params(lecture["data"], polymers, law))


@pytest.fixture(scope="session")
def lecture_pair_settings(_lecture_config_pristine) -> pairs.PairSettings:
    """The lecture's pairing: within each polymer, all pairs, seed 0."""
    return config.pair_settings(_lecture_config_pristine["pairs"])


@pytest.fixture(scope="session")
def lecture_split(_lecture_config_pristine):
    """The lecture's split: random pairs to test, test_size 0.2, seed 0."""
    return split_from_config(_lecture_config_pristine["pairs"])


@pytest.fixture(scope="session")
def lecture_pairs(lecture_points, lecture_pair_settings, lecture_split):
    """The lecture's 2352 contrastive pairs with their train/test labels."""
    return pairs.make_pairs(lecture_points, lecture_pair_settings, lecture_split)


@pytest.fixture(scope="session")
def lecture_law(_lecture_config_pristine):
    """The lecture's law with M0 = 100 g/mol, D0 = 1e-9 m^2/s."""
    return config.law_of(_lecture_config_pristine)


@pytest.fixture(scope="module")
def one_torch_thread():
    """Torch on one thread (tiny networks: fastest, and the fits' setting), restored after."""
    import torch

    from contrastive_gs import training

    threads = torch.get_num_threads()
    training.set_torch_threads(1)
    yield
    training.set_torch_threads(threads)
