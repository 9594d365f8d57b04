"""Configuration: the default validates; a bad one is refused, naming the key and the problem."""

from __future__ import annotations

import pytest
from helpers import make_family

from contrastive_gs import config, data, fit, pairs
from contrastive_gs.polymers import Polymer
from contrastive_gs.splits import split_from_config


def test_default_config_validates(lecture_config, schema):
    """config.yaml (the lecture) is valid and resolves to PP (Tg 273 K) and HDPE (Tg 173 K)."""
    polymers = config.validate_config(lecture_config, schema)
    assert polymers == [Polymer("PP", 273.0, 1.0), Polymer("HDPE", 173.0, 1.0)]


def _set(path: str, value):
    """A mutation that sets the dotted ``path`` of a config to ``value``."""

    def mutate(cfg):
        *parents, last = path.split(".")
        node = cfg
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value

    return mutate


def _set_all(values: dict):
    """A mutation that sets each dotted path of ``values`` to its value."""
    mutations = [_set(path, value) for path, value in values.items()]

    def mutate(cfg):
        for mutation in mutations:
            mutation(cfg)

    return mutate


def _rename_width(cfg):
    cfg["nn"]["widht"] = cfg["nn"].pop("width")


def _only_ps(cfg):
    # PS (Tg 100 degC, glassy r 0.5) at 23 degC: Kb + 0.5 (296.15 - 373.15) = Kb - 38.5 K
    cfg["data"]["polymers"] = [{"preset": "PS"}]
    cfg["data"]["Kb"] = 39.5
    cfg["groups"] = ["pooled"]


REJECTED = {
    # id: (mutation, key named in the message, problem named in the message)
    "Kb hits pole for PP": (
        _set("data.Kb", -30),
        "'data.Kb'",
        "outside the law's validity for polymer PP",
    ),
    "Kb at margin for PP": (_set("data.Kb", -22.15), "'data.Kb'", "Kb + r (T - Tg) = 1 K"),
    "Kb pole glassy PS": (_only_ps, "'data.Kb'", "validity for polymer PS"),
    "sweep Kb hits pole": (
        _set("sweep", {"Kb": [40, -30]}),
        "'sweep.Kb'",
        "value -30.0 is outside the law's validity",
    ),
    "M start 0": (_set("data.M.start", 0), "'data.M.start'", "must be > 0"),
    "M start negative": (_set("data.M.start", -10), "'data.M.start'", "must be > 0"),
    "M start above stop": (_set("data.M.start", 600), "'data.M'", "must be below stop"),
    "T below 0 K": (_set("data.T_C.start", -300), "'data.T_C.start'", "above -273.15"),
    "typo widht": (_rename_width, "'nn'", "unknown key(s) ['widht']"),
    "unknown top key": (_set("nnn", {}), "<top level>", "unknown key(s) ['nnn']"),
    "width string": (_set("nn.width", "32"), "'nn.width'", "of type integer"),
    "width bool": (_set("nn.width", True), "'nn.width'", "of type integer"),
    "empty polymers": (_set("data.polymers", []), "'data.polymers'", "at least 1 item"),
    "unknown preset": (
        _set("data.polymers", [{"preset": "PEEK"}]),
        "'data.polymers.0.preset'",
        "'PEEK'",
    ),
    "polymer without Tg": (
        _set("data.polymers", [{"name": "X"}]),
        "'data.polymers.0'",
        "both 'name' and 'Tg'",
    ),
    "polymer name pattern": (
        _set("data.polymers.0.name", "1PP"),
        "'data.polymers.0.name'",
        "a string matching",
    ),
    "test_size 0": (_set("pairs.test_size", 0), "'pairs.test_size'", "a value > 0"),
    "test_size 1.5": (_set("pairs.test_size", 1.5), "'pairs.test_size'", "a value < 1"),
    "width 0": (_set("nn.width", 0), "'nn.width'", "a value >= 1"),
    "depth 0": (_set("nn.depth", 0), "'nn.depth'", "a value >= 1"),
    "epochs 0": (_set("nn.epochs", 0), "'nn.epochs'", "a value >= 1"),
    "lr 0": (_set("nn.lr", 0), "'nn.lr'", "a value > 0"),
    "activation gelu": (_set("nn.activation", "gelu"), "'nn.activation'", "one of"),
    "degree 0": (_set("poly.degree", 0), "'poly.degree'", "a value >= 1"),
    "seeds float": (_set("seeds", [1.5]), "'seeds.0'", "of type integer"),
    "seeds duplicate": (_set("seeds", [0, 0]), "'seeds'", "without duplicates"),
    "duplicate polymer names": (
        _set("data.polymers", [{"name": "PP", "Tg": 273}, {"preset": "PP"}]),
        "'data.polymers'",
        "duplicate polymer name(s) ['PP']",
    ),
    "grid num 0": (_set("data.M.num", 0), "'data.M.num'", "a value >= 1"),
    "r 1.5": (_set("data.polymers.0.r", 1.5), "'data.polymers.0.r'", "a value <= 1"),
    "r 0": (_set("data.polymers.0.r", 0), "'data.polymers.0.r'", "a value > 0"),
    "noise negative": (_set("data.noise", -0.1), "'data.noise'", "a value >= 0"),
    "unknown group": (_set("groups", ["pooled", "PS"]), "'groups'", "'PS' is not allowed"),
    "sweep Ka duplicates": (_set("sweep", {"Ka": [140, 140]}), "'sweep.Ka'", "without duplicates"),
    "sweep width duplicates": (
        _set("sweep", {"nn": {"width": [32, 32]}}),
        "'sweep.nn.width'",
        "without duplicates",
    ),
    "sweep unknown key": (_set("sweep", {"Kc": [1]}), "'sweep'", "unknown key(s) ['Kc']"),
    "M0 0": (_set("data.M0", 0), "'data.M0'", "a value > 0"),
    "D0 negative": (_set("data.D0", -1e-9), "'data.D0'", "a value > 0"),
    "max_pairs 1": (_set("pairs.max_pairs", 1), "'pairs.max_pairs'", "a value >= 2"),
    "file source without path": (
        _set("data.source", "file"),
        "'data.path'",
        "not allowed with data.source 'file'",
    ),
    "unknown data source": (_set("data.source", "excel"), "'data.source'", "one of"),
    "max_pairs no test pair": (
        _set("pairs.max_pairs", 4),
        "'pairs.max_pairs'",
        "pairs on one side of the split",
    ),
    "temperature split without threshold": (
        _set("pairs.split", "temperature"),
        "'pairs.test_above_T_C'",
        "expected a temperature (degC)",
    ),
    "threshold without temperature split": (
        _set("pairs.test_above_T_C", 50.0),
        "'pairs.test_above_T_C'",
        "which does not use it; expected null",
    ),
    "unknown law": (_set("law", "arrhenius"), "'law'", "one of ['blob', 'free_volume', 'lecture']"),
    "unknown model": (_set("models", ["nn", "svm"]), "'models.1'", "one of"),
    "compare one model": (_set("compare", ["nn"]), "'compare'", "at least 2 item(s)"),
    "lasso one fold": (_set("lasso.cv_folds", 1), "'lasso.cv_folds'", "a value >= 2"),
    "nn typo in schedule": (_set("nn.final_fraction", 1.0), "'nn.final_fraction'", "< 1"),
    "temperature split above the grid": (
        _set_all({"pairs.split": "temperature", "pairs.test_above_T_C": 100.0}),
        "'pairs.test_above_T_C'",
        "pairs on one side of the 'temperature' split",
    ),
    "points split one point per polymer": (
        _set_all({"pairs.split": "points", "data.M.num": 1, "data.T_C.num": 1}),
        "'pairs.test_size'",
        "leaves group 'pooled' too few pairs",
    ),
    "k_fold of one fold": (_set_all({"pairs.split": "k_fold", "pairs.k": 1}), "'pairs.k'", ">= 2"),
    "leave out nothing": (
        _set("pairs.split", "leave_one_group_out"),
        "'pairs.leave_out'",
        "expected one of ['polymer', 'temperature']",
    ),
    "leave out a polymer, per-polymer groups": (
        _set_all({"pairs.split": "leave_one_group_out", "pairs.leave_out": "polymer"}),
        "'pairs.leave_out'",
        "leaves group 'PP' too few pairs",
    ),
    "free_volume polymer not in the table": (
        _set_all({"law": "free_volume", "data.M.num": 1, "groups": ["pooled"]}),
        "'law'",
        "free-volume parameters of polymer(s) ['HDPE', 'PP'] are not in the table",
    ),
    "free_volume with several molar masses": (
        _set_all(
            {
                "law": "free_volume",
                "data.polymers": [{"preset": "PS"}],
                "groups": ["PS"],
                "data.T_C": {"start": 110, "stop": 170, "num": 4},
            }
        ),
        "'law'",
        "several molar masses",
    ),
    "free_volume table missing": (
        _set_all({"law": "free_volume", "free_volume.parameters": "no/such.csv"}),
        "'free_volume.parameters'",
        "no/such.csv",
    ),
    "blob with b(Tg)": (
        _set_all({"law": "blob", "models": ["twin_structured"]}),
        "'twin_structured.b_inputs'",
        "not allowed with law 'blob'",
    ),
    "groups auto leaves nothing": (
        _set_all({"groups": "auto", "data.M.num": 1, "data.T_C.num": 1}),
        "'groups'",
        "leaves no group",
    ),
    "query of an unknown polymer": (_set("predict.path", "QUERY_PS"), "'predict.path'", "['PS']"),
    "grid without num": (
        lambda cfg: cfg["data"]["M"].pop("num"),
        "'data.M'",
        "'num' is a required",
    ),
}


@pytest.mark.parametrize(("mutate", "key", "problem"), REJECTED.values(), ids=REJECTED.keys())
def test_rejected_configs(lecture_config, schema, mutate, key, problem, tmp_path):
    """Each invalid config raises ConfigError whose message names the key and the problem."""
    mutate(lecture_config)
    if lecture_config["predict"].get("path") == "QUERY_PS":
        query = tmp_path / "query.csv"
        query.write_text("polymer,M,T\nPS,100,400\n")
        lecture_config["predict"]["path"] = str(query)
    with pytest.raises(config.ConfigError) as error:
        config.validate_config(lecture_config, schema)
    message = str(error.value)
    assert message.startswith("config key ")
    assert key in message
    assert problem in message
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (_set("pairs.max_pairs", 5), "5 pairs at test_size 0.2 leave 1 test pair"),
        (
            _set_all({"pairs.split": "points", "data.M.num": 2, "data.T_C.num": 3}),
            "2 test points per polymer make 1 test pair for groups PP and HDPE",
        ),
    ],
    ids=["max_pairs 5", "points split 2x3 grid"],
)
def test_valid_config_gives_fittable_groups(lecture_config, schema, mutate, reason):
    """A config that validates must give every group >= 2 train and >= 2 test pairs."""
    mutate(lecture_config)
    try:
        polymers = config.validate_config(lecture_config, schema)
    except config.ConfigError:
        return  # refused up front: fine
    law = config.law_of(lecture_config)
    points = data.simulate(data.settings_from_params(lecture_config["data"], polymers, law))
    section = lecture_config["pairs"]
    table = pairs.make_pairs(points, config.pair_settings(section), split_from_config(section))
    for group in lecture_config["groups"]:
        fit.fit_group(make_family("poly"), points, pairs.select_group(table, group), [0], group)


def test_valid_edge_configs(lecture_config, schema):
    """Accepted edges: glassy PS with Kb 40 (1.5 K from the pole), a renamed preset, max_pairs 10
    (10 * 0.2 = 2 test pairs in the pooled group)."""
    lecture_config["data"]["polymers"] = [{"preset": "PS"}, {"preset": "LDPE", "name": "LD"}]
    lecture_config["groups"] = ["pooled"]
    lecture_config["pairs"]["max_pairs"] = 10
    polymers = config.validate_config(lecture_config, schema)
    assert polymers == [Polymer("PS", 373.15, 0.5), Polymer("LD", 148.15, 0.5)]


def test_resolve_polymers_presets():
    """A preset gives its Tg and glassy r; explicit keys override it; r defaults to 1."""
    pmma, renamed, explicit = config.resolve_polymers(
        [{"preset": "PMMA"}, {"preset": "wPET", "name": "wet", "r": 0.3}, {"name": "A", "Tg": 300}]
    )
    assert (pmma.name, pmma.Tg, pmma.r_glassy) == ("PMMA", 381.15, 0.5)
    assert (renamed.name, renamed.Tg, renamed.r_glassy) == ("wet", 316.15, 0.3)
    assert (explicit.name, explicit.Tg, explicit.r_glassy) == ("A", 300.0, 1.0)
    assert isinstance(explicit.Tg, float)


def test_check_schema_accepts_default_and_names_deepest_error(lecture_config, schema):
    """check_schema passes the default and reports the specific key of a nested error."""
    config.check_schema(lecture_config, schema)
    lecture_config["sweep"] = {"nn": {"depth": [0]}}
    with pytest.raises(config.ConfigError, match=r"'sweep\.nn\.depth\.0'.*a value >= 1"):
        config.check_schema(lecture_config, schema)


def test_swept_values(lecture_config):
    """Sweep lists replace single values; keys not swept keep theirs."""
    lecture_config["sweep"] = {"Ka": [120, 140], "nn": {"width": [16, 32, 64]}}
    assert config.swept_values(lecture_config, None, "Ka") == [120, 140]
    assert config.swept_values(lecture_config, None, "Kb") == [40.0]
    assert config.swept_values(lecture_config, "nn", "width") == [16, 32, 64]
    assert config.swept_values(lecture_config, "nn", "depth") == [2]
    assert config.swept_values(lecture_config, "poly", "degree") == [2]


def test_scenario_and_hyper_tables_without_sweep(lecture_config):
    """No sweep: one scenario (Ka 140, Kb 40, noise 0) and one hyper point per model."""
    assert config.scenario_table(lecture_config) == [{"Ka": 140.0, "Kb": 40.0, "noise": 0.0}]
    assert config.hyper_table(lecture_config, "nn") == [{"width": 32, "depth": 2}]
    assert config.hyper_table(lecture_config, "poly") == [{"degree": 2}]


def test_scenario_and_hyper_tables_with_sweep(lecture_config, schema):
    """A sweep expands to the product of its lists, in SCENARIO_KEYS / HYPER_KEYS order."""
    lecture_config["sweep"] = {
        "Kb": [30, 40],
        "noise": [0, 0.05],
        "nn": {"width": [16, 32], "depth": [1, 2, 3]},
        "poly": {"degree": [1, 2, 3]},
    }
    config.validate_config(lecture_config, schema)
    scenarios = config.scenario_table(lecture_config)
    assert scenarios == [
        {"Ka": 140.0, "Kb": 30.0, "noise": 0.0},
        {"Ka": 140.0, "Kb": 30.0, "noise": 0.05},
        {"Ka": 140.0, "Kb": 40.0, "noise": 0.0},
        {"Ka": 140.0, "Kb": 40.0, "noise": 0.05},
    ]
    assert all(isinstance(v, float) for s in scenarios for v in s.values())
    hypers = config.hyper_table(lecture_config, "nn")
    assert len(hypers) == 6
    assert hypers[:3] == [{"width": 16, "depth": d} for d in (1, 2, 3)]
    assert config.hyper_table(lecture_config, "poly") == [{"degree": d} for d in (1, 2, 3)]


def test_schema_loads_as_mapping(schema):
    """load_schema reads the YAML schema: draft 2020-12, with a default for every section."""
    assert schema["$schema"].endswith("2020-12/schema")
    assert "required" not in schema
    assert all("default" in section for section in schema["properties"].values())


def test_missing_keys_take_the_schema_defaults(schema):
    """A config of a few keys is completed with the defaults (the lecture); config.yaml holds
    exactly the defaults, so the two cannot drift."""
    import yaml
    from conftest import CONFIG_PATH

    partial = {"nn": {"width": 8}, "seeds": [0, 1]}
    config.validate_config(partial, schema)
    defaults = config.default_config(schema)
    assert partial == {**defaults, "nn": {**defaults["nn"], "width": 8}, "seeds": [0, 1]}
    assert yaml.safe_load(CONFIG_PATH.read_text()) == defaults


def test_numbers_become_floats_where_the_schema_asks_for_numbers(lecture_config, schema):
    """Ka: 140 and Ka: 140.0 are one value: the same scenario folder and params."""
    lecture_config["data"]["Ka"] = 140
    lecture_config["data"]["polymers"] = [{"name": "PP", "Tg": 273}]
    lecture_config["sweep"] = {"Kb": [40, 50]}
    lecture_config["groups"] = ["PP"]
    config.validate_config(lecture_config, schema)
    assert isinstance(lecture_config["data"]["Ka"], float)
    assert isinstance(lecture_config["data"]["polymers"][0]["Tg"], float)
    assert lecture_config["sweep"]["Kb"] == [40.0, 50.0]
    assert all(isinstance(v, float) for v in lecture_config["sweep"]["Kb"])
    assert isinstance(lecture_config["nn"]["width"], int)  # integers stay integers


def test_canonical_sorts_mappings_and_plain_numbers():
    """canonical: sorted keys at every depth, numpy scalars as Python numbers."""
    import numpy as np

    value = config.canonical({"b": {"y": np.float64(1.5), "x": (1, 2)}, "a": [np.int64(3)]})
    assert repr(value) == "{'a': [3], 'b': {'x': [1, 2], 'y': 1.5}}"


def test_registries_and_schema_agree(schema):
    """The schema's enums of laws, models and splits are the registries; every family has its
    config section, and its hyper-parameter keys can be swept."""
    from contrastive_gs.devices import DEVICES
    from contrastive_gs.families import FAMILIES
    from contrastive_gs.laws import LAWS
    from contrastive_gs.splits import SPLITS

    properties = schema["properties"]
    assert properties["law"]["enum"] == sorted(LAWS)
    assert properties["models"]["items"]["enum"] == sorted(FAMILIES)
    assert properties["compare"]["items"]["enum"] == sorted(FAMILIES)
    assert sorted(properties["pairs"]["properties"]["split"]["enum"]) == sorted(SPLITS)
    assert properties["device"]["enum"] == sorted(DEVICES)
    for name, family in FAMILIES.items():
        assert name in properties, name
        sweep = schema["properties"]["sweep"]["properties"][name]
        swept = (
            sweep["properties"]
            if "properties" in sweep
            else schema["$defs"][sweep["$ref"].split("/")[-1]]["properties"]
        )
        assert set(swept) == set(family.hyper_keys), name
    for split in SPLITS.values():
        assert set(split.config_keys()) <= set(properties["pairs"]["properties"])


def test_every_column_of_a_measured_table_can_be_mapped(schema):
    """data.columns accepts a file's name for every column the reader knows, required or
    optional (a file with its own name for `solute` was refused before)."""
    columns = schema["properties"]["data"]["properties"]["columns"]["properties"]
    assert set(columns) == {*data.MEASURED_COLUMNS, *data.OPTIONAL_COLUMNS}


def test_readme_configuration_table_is_the_schema(schema):
    """README's configuration table is generated from the schema (python -m
    contrastive_gs.schema_docs): every key with its default, allowed values and description."""
    from conftest import ROOT

    from contrastive_gs import schema_docs

    readme = (ROOT / "README.md").read_text()
    assert schema_docs.with_table(readme, schema) == readme
    keys = [key for key, *_ in schema_docs.rows(schema)]
    assert {"law", "data.columns", "pairs.k", "kernel.bootstrap", "sweep"} <= set(keys)
    for key, default, _, description in schema_docs.rows(schema):
        assert description, f"{key} has no description"
        assert default != "none", f"{key} has no default"
