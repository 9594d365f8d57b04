"""The results layout: templates formatted and parsed in one module, as Snakemake's Paramspace
writes the key~value folders."""

from __future__ import annotations

import pandas as pd
import pytest
from snakemake.utils import Paramspace

from contrastive_gs import layout

FIT_FILE = "results/Ka~140.0/Kb~40.0/noise~0.05/fits/nn/width~32/depth~2/PP/fold~1/seed~3/m.json"


def test_fit_file_parses_to_its_identity():
    """key~value folders parse to int where possible, else float, else str."""
    identity = layout.parse_fit_file(FIT_FILE)
    assert identity == {
        "scenario": {"Ka": 140.0, "Kb": 40.0, "noise": 0.05},
        "model": "nn",
        "hyper": {"width": 32, "depth": 2},
        "group": "PP",
        "fold": 1,
        "seed": 3,
    }
    assert isinstance(identity["hyper"]["width"], int)
    assert layout.parse_fit_file(f"/abs/{FIT_FILE}")["group"] == "PP"
    kernel = "results/Ka~1.0/Kb~2.0/noise~0.0/fits/kernel/fit_r~auto/pooled/fold~0/seed~0/x"
    assert layout.parse_fit_file(kernel)["hyper"] == {"fit_r": "auto"}
    with pytest.raises(ValueError, match="not a per-fit file"):
        layout.parse_fit_file("results/summary/metrics.json")


def test_formatting_is_parsing_inverted():
    """fit_dir formats what parse_fit_file reads back."""
    scenario = layout.key_value_path({"Ka": 140.0, "Kb": 40.0, "noise": 0.05})
    path = layout.fit_dir(scenario, "nn", "width~32/depth~2", "PP", 1, 3) + "/m.json"
    assert path == FIT_FILE


def test_key_value_path_is_paramspace_pattern():
    """The layout writes a sweep point's folders exactly as Snakemake's Paramspace does."""
    table = pd.DataFrame(
        [{"Ka": 140.0, "Kb": 40.0, "noise": 0.0}, {"Ka": 1e-3, "Kb": 2, "noise": 1}]
    )
    space = Paramspace(table, single_wildcard="scenario")
    assert list(space.instance_patterns) == [
        layout.key_value_path(row) for row in table.to_dict("records")
    ]


def test_per_fit_pairs_files_with_identities():
    """A job's per-fit files listed in the order of its fit identities."""
    assert layout.per_fit(["a", "b"], [["PP", 0, 0], ["PP", 0, 1]]) == {
        ("PP", 0, 0): "a",
        ("PP", 0, 1): "b",
    }
    with pytest.raises(ValueError, match="2 files for 1 fits"):
        layout.per_fit(["a", "b"], [["PP", 0, 0]])
