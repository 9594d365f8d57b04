"""Configuration: validation with messages that name the key, the value and what is allowed.

The JSON schema (``workflow/schemas/config.schema.yaml``) holds every key with its type, range,
description and default: :func:`validate_config` completes a config with the defaults, checks it
against the schema, then adds the checks a schema cannot express (presets, group names, the
law's validity over the whole grid, enough pairs on both sides of every split) and raises one
:class:`ConfigError`.  Registries (laws, families, splits) and the schema must agree: a test
says so.
"""

from __future__ import annotations

import copy
import itertools
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import yaml

from contrastive_gs import data as data_module
from contrastive_gs import layout
from contrastive_gs.families import family, family_from_config
from contrastive_gs.laws import ESTIMATED, LAWS, Law, law_from_config
from contrastive_gs.laws.free_volume import ParameterTableError
from contrastive_gs.pairs import (
    POOLED,
    PairSettings,
    all_pairs_split,
    expected_pair_counts,
    fold_sides,
)
from contrastive_gs.polymers import PRESETS, PUBLISHED_CONSTANTS, Polymer
from contrastive_gs.splits import SPLITS, split_from_config

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = PROJECT_ROOT / "workflow" / "schemas" / "config.schema.yaml"
MIN_TEST_PAIRS = 2  # test pairs of a split of pairs (its only held-out data) at least
log = logging.getLogger(__name__)
NOISE_KEY = "noise"  # the data key that a scenario sets beside the law's parameters


class ConfigError(ValueError):
    """An invalid configuration; the message names the key, the value and what is allowed."""


def load_schema(path: str | Path = SCHEMA_PATH) -> dict[str, Any]:
    """Read the JSON schema (YAML syntax) of the configuration (with libyaml's loader where
    PyYAML has it: 8x faster, and every Snakemake command reads the schema)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(Path(path).read_text(), Loader=loader)


def plain(value: Any) -> Any:
    """A value as plain Python (numpy scalars to numbers), for messages and params."""
    return value.item() if isinstance(value, np.generic) else value


def canonical(value: Any) -> Any:
    """A canonical form of a params value: mappings with sorted keys (recursively), tuples as
    lists, numpy scalars as Python numbers; so that only a changed value changes its repr."""
    if isinstance(value, Mapping):
        return {str(key): canonical(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return plain(value)


# --- the schema ---------------------------------------------------------------------------------


def _with_defaults(validator_class):
    """A validator class that fills in each missing property's ``default`` before checking it
    (the jsonschema FAQ recipe); defaults of a section come before its ``$ref``'d types."""
    check_properties = validator_class.VALIDATORS["properties"]

    def fill_defaults(validator, properties, instance, schema):
        if validator.is_type(instance, "object"):
            for name, subschema in properties.items():
                if "default" in subschema:
                    instance.setdefault(name, copy.deepcopy(subschema["default"]))
        yield from check_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": fill_defaults})


_DefaultingValidator = _with_defaults(jsonschema.Draft202012Validator)


def _key_name(path: Any) -> str:
    return ".".join(str(part) for part in path) or "<top level>"


def _schema_message(error: jsonschema.ValidationError) -> str:
    key = _key_name(error.absolute_path)
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        return f"config key '{key}': unknown key(s) {unknown}; allowed keys are {allowed}"
    if error.validator == "required":
        return f"config key '{key}': {error.message}"
    allowed = {
        "type": lambda v: f"a value of type {v}",
        "enum": lambda v: f"one of {v}",
        "minimum": lambda v: f"a value >= {v}",
        "exclusiveMinimum": lambda v: f"a value > {v}",
        "maximum": lambda v: f"a value <= {v}",
        "exclusiveMaximum": lambda v: f"a value < {v}",
        "minItems": lambda v: f"a list of at least {v} item(s)",
        "maxItems": lambda v: f"a list of at most {v} item(s)",
        "uniqueItems": lambda v: "a list without duplicates",
        "pattern": lambda v: f"a string matching {v}",
    }.get(error.validator, lambda v: f"{error.validator} {v}")(error.validator_value)
    return f"config key '{key}': value {error.instance!r} is not allowed; expected {allowed}"


def check_schema(config: dict[str, Any], schema: Mapping[str, Any]) -> None:
    """Fill in the defaults of missing keys (in place), then raise ConfigError for the first
    schema violation (the deepest, most specific one)."""
    validator = _DefaultingValidator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is not None:
        raise ConfigError(_schema_message(error))
    _numbers_as_floats(config, schema, schema)


def _resolve(root: Mapping[str, Any], reference: str) -> Mapping[str, Any]:
    """The subschema of a local ``$ref`` (``#/$defs/name``)."""
    node = root
    for part in reference.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _numbers_as_floats(instance: Any, schema: Mapping[str, Any], root: Mapping[str, Any]) -> None:
    """Integers where the schema asks for a number become floats (in place): ``Ka: 140`` and
    ``Ka: 140.0`` are one value, and must give one scenario folder and one params repr."""
    schemas = [schema]
    while schemas:  # resolve $ref and allOf into the plain subschemas that describe ``instance``
        part = schemas.pop()
        if "$ref" in part:
            schemas.append(_resolve(root, part["$ref"]))
        schemas.extend(part.get("allOf", []))
        if isinstance(instance, dict):
            for name, subschema in part.get("properties", {}).items():
                if name not in instance:
                    continue
                if _is_number(subschema, instance[name]):
                    instance[name] = float(instance[name])
                else:
                    _numbers_as_floats(instance[name], subschema, root)
        elif isinstance(instance, list) and "items" in part:
            for index, item in enumerate(instance):
                if _is_number(part["items"], item):
                    instance[index] = float(item)
                else:
                    _numbers_as_floats(item, part["items"], root)


def _is_number(schema: Mapping[str, Any], value: Any) -> bool:
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    return "number" in types and isinstance(value, int) and not isinstance(value, bool)


def default_config(schema: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The configuration of every default (the lecture), as the schema gives it."""
    config: dict[str, Any] = {}
    check_schema(config, schema or load_schema())
    return config


# --- what the schema cannot say -----------------------------------------------------------------


def resolve_polymers(entries: list[Mapping[str, Any]]) -> list[Polymer]:
    """Polymers from config entries: ``{preset: NAME}`` or ``{name, Tg, r}`` (explicit wins)."""
    polymers = []
    for index, entry in enumerate(entries):
        key = f"data.polymers.{index}"
        base = None
        if "preset" in entry:
            if entry["preset"] not in PRESETS:
                raise ConfigError(
                    f"config key '{key}.preset': value {entry['preset']!r} is not allowed; "
                    f"expected one of {sorted(PRESETS)}"
                )
            base = PRESETS[entry["preset"]]
        name = entry.get("name", base.name if base else None)
        Tg = entry.get("Tg", base.Tg if base else None)
        if name is None or Tg is None:
            raise ConfigError(
                f"config key '{key}': {dict(entry)!r} needs a 'preset' or both 'name' and 'Tg'"
            )
        r = entry.get("r", base.r_glassy if base else 1.0)
        polymers.append(Polymer(name=name, Tg=float(Tg), r_glassy=float(r)))
    names = [p.name for p in polymers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(
            f"config key 'data.polymers': duplicate polymer name(s) {duplicates}; "
            "names must be unique"
        )
    return polymers


def law_of(config: Mapping[str, Any]) -> Law:
    """The law of the config with its known constants."""
    try:
        return law_from_config(config)
    except ParameterTableError as error:
        raise ConfigError(f"config key 'free_volume.parameters': {error}") from None


def law_params(config: Mapping[str, Any]) -> dict[str, Any]:
    """The law's name and constants, as the rules pass them (rebuilt by
    :func:`contrastive_gs.laws.build_law`)."""
    return {"name": config["law"], "constants": LAWS[config["law"]].config_constants(config)}


def measured(config: Mapping[str, Any]) -> bool:
    """Whether the config reads measured data (``data.source: file``)."""
    return config["data"]["source"] == "file"


def dataset_name(config: Mapping[str, Any]) -> str:
    """The name of a measured dataset: ``data.name``, else the file's stem (its scenario)."""
    name = config["data"].get("name") or Path(config["data"]["path"]).stem
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def scenario_keys(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The data keys of a scenario, in path order: the law's parameters, then the noise (none
    for measured data: their scenario is the dataset)."""
    if measured(config):
        return ()
    return (*LAWS[config["law"]].scenario_keys, NOISE_KEY)


def resolve_path(path: str) -> str:
    """``path`` where it exists from here; else the project's file of that name (a default
    such as ``data/free_volume_parameters.csv`` from a scratch directory)."""
    if Path(path).exists() or Path(path).is_absolute():
        return path
    shipped = PROJECT_ROOT / path
    return str(shipped) if shipped.exists() else path


def pair_params(config: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of ``pairs`` that the pairing reads: the sample size only where the fits see
    all pairs (:func:`contrastive_gs.pairs.all_pairs_split`)."""
    keys = ("scope", "max_pairs", "split_seed", "sample")
    settings = PairSettings(**{key: config["pairs"][key] for key in keys})
    params = {key: config["pairs"][key] for key in keys[:3]}
    if all_pairs_split(settings, split_from_config(config["pairs"])):
        params["sample"] = settings.sample
    return params


def swept_values(config: Mapping[str, Any], section: str | None, key: str) -> list[Any]:
    """Values of one key across the sweep: the sweep list if given, else the single value
    (``section`` None: a key of ``data``)."""
    sweep = config.get("sweep", {}) or {}
    if section is None:
        return list(sweep.get(key, [config["data"][key]]))
    return list(sweep.get(section, {}).get(key, [config[section][key]]))


def _published_constants_hint(name: str) -> str:
    if name not in PUBLISHED_CONSTANTS:
        return ""
    Ka, Kb = PUBLISHED_CONSTANTS[name]
    return f" (published constants of {name}: Ka = {Ka} K, Kb = {Kb} K; set data.Ka and data.Kb)"


def _check_grid(config: Mapping[str, Any]) -> None:
    data = config["data"]
    for key in ("M", "T_C"):
        spec = data[key]
        if spec["num"] > 1 and spec["start"] >= spec["stop"]:
            raise ConfigError(
                f"config key 'data.{key}': start {spec['start']} must be below stop {spec['stop']}"
            )
    if data_module.grid(data["M"]).min() <= 0:
        raise ConfigError(
            f"config key 'data.M.start': value {data['M']['start']!r} is not allowed; "
            "molar masses must be > 0 g/mol"
        )
    if (data_module.grid(data["T_C"]) + data_module.KELVIN_OFFSET).min() <= 0:
        raise ConfigError(
            f"config key 'data.T_C.start': value {data['T_C']['start']!r} is not allowed; "
            "temperatures must be above -273.15 degC"
        )


def _check_validity(config: Mapping[str, Any], law: Law, polymers: list[Polymer]) -> None:
    """The law must be valid at every grid point of every polymer, in every scenario."""
    data = config["data"]
    sweep = config.get("sweep") or {}
    for scenario in scenario_table(config):
        for polymer in polymers:
            values = {**scenario, "r_glassy": polymer.r_glassy}
            grid = data_module.grid_points(
                data_module.grid(data["M"]), data_module.grid(data["T_C"]), [polymer]
            )
            problem = law.validity_problem(grid, values)
            if problem is None:
                continue
            swept = [k for k in law.scenario_keys if k in sweep]
            key = swept[0] if swept else law.scenario_keys[-1]
            where = "sweep" if key in sweep else "data"
            raise ConfigError(
                f"config key '{where}.{key}': value {scenario[key]!r} is outside the law's "
                f"validity for polymer {polymer.name} (Tg={polymer.Tg} K, "
                f"r={polymer.r_glassy}): {problem}" + _published_constants_hint(polymer.name)
            )


def _check_groups(config: Mapping[str, Any], polymers: list[Polymer]) -> None:
    allowed = [POOLED] + [p.name for p in polymers]
    for group in config["groups"]:
        if group not in allowed:
            raise ConfigError(
                f"config key 'groups': value {group!r} is not allowed; expected one of {allowed}"
            )


def _check_split_settings(config: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    """The split's own checks; a key of another split that defaults to null must stay null."""
    pairs = config["pairs"]
    split = split_from_config(pairs)
    defaults = schema["properties"]["pairs"]["properties"]
    other_keys = {key for entry in SPLITS.values() for key in entry.config_keys()}
    other_keys -= set(split.config_keys())
    for key, problem in split.problems():
        raise ConfigError(
            f"config key 'pairs.{key}': value {pairs[key]!r} is not allowed with pairs.split "
            f"{pairs['split']!r}; {problem}"
        )
    for key in sorted(other_keys):
        value = pairs[key]
        if value is not None and defaults[key].get("default", "") is None:
            raise ConfigError(
                f"config key 'pairs.{key}': value {value!r} is not allowed with pairs.split "
                f"{pairs['split']!r}, which does not use it; expected null"
            )


def pair_count_problems(config: Mapping[str, Any], points, groups) -> dict[str, str]:
    """Why each group that cannot be fitted cannot, from the ``points`` of the data (only their
    polymers, temperatures and molar masses matter): fewer than 2 train pairs in a fold, or no
    held-out pair or point to test on; raises ConfigError for a ``max_pairs`` that keeps too few.
    """
    pairs = config["pairs"]
    split = split_from_config(pairs)
    settings = pair_settings(pairs)
    uncapped = PairSettings(settings.scope, None, settings.split_seed)
    sides = fold_sides(points, settings.scope, split)
    law = law_of(config)
    min_train = max(
        family_from_config(m, config[m], law).min_train_pairs() for m in config["models"]
    )
    problems: dict[str, str] = {}
    held_out_somewhere: set[str] = set()
    held_out_uncapped: set[str] = set()
    folds = zip(
        expected_pair_counts(points, settings, split, groups),
        expected_pair_counts(points, uncapped, split, groups),
        sides,
        strict=True,
    )
    for fold, (capped, unlimited, side) in enumerate(folds):
        for group in groups:
            counts = capped[group]
            of_group = np.ones(len(points), dtype=bool) if group == POOLED else (
                points["Polymer"] == group
            ).to_numpy()  # fmt: skip
            test_points = int((side[of_group] == "test").sum())
            points_held_out = split.unit == "points" and test_points > 0
            if counts["test"] >= MIN_TEST_PAIRS or points_held_out:
                held_out_somewhere.add(group)
            if unlimited[group]["test"] >= MIN_TEST_PAIRS or points_held_out:
                held_out_uncapped.add(group)
            if counts["train"] >= min_train or group in problems:
                continue
            described = (
                f"fold {fold}: {counts['train']:g} train and {counts['test']:g} test pairs, "
                f"{test_points} held-out points, of {int(of_group.sum())} points; the models "
                f"need {min_train} train pair(s)"
            )
            if unlimited[group]["train"] >= min_train:
                raise ConfigError(
                    f"config key 'pairs.max_pairs': value {pairs['max_pairs']!r} keeps about "
                    f"{counts['train']:.1f} train pairs for group {group!r} ({described}); "
                    f"allowed: a cap keeping at least {min_train} train pairs per group"
                )
            problems[group] = described
    for group in groups:
        if group in problems or group in held_out_somewhere:
            continue
        if group in held_out_uncapped:
            raise ConfigError(
                f"config key 'pairs.max_pairs': value {pairs['max_pairs']!r} keeps fewer than "
                f"{MIN_TEST_PAIRS} test pairs on one side of the split for group {group!r}; "
                f"allowed: a cap keeping at least {MIN_TEST_PAIRS} test pairs per group"
            )
        problems[group] = f"no fold holds out {MIN_TEST_PAIRS} test pairs" + (
            " or a point" if split.unit == "points" else ""
        )
    return problems


def _check_pair_counts(config: dict[str, Any], points, polymers: list[Polymer]) -> None:
    """Every fit group needs 2 train pairs in every fold and something held out: refuse a group
    that has not (naming it and its counts), or, with ``groups: auto``, drop it with a logged
    reason."""
    automatic = config["groups"] == "auto"
    groups = [POOLED] + [p.name for p in polymers] if automatic else list(config["groups"])
    problems = pair_count_problems(config, points, groups)
    pairs = config["pairs"]
    key = split_from_config(pairs).config_keys()[0]
    if problems and not automatic:
        group, described = next(iter(problems.items()))
        raise ConfigError(
            f"config key 'pairs.{key}': value {pairs[key]!r} leaves group {group!r} too few pairs "
            f"on one side of the '{pairs['split']}' split ({described}); allowed: a split "
            "leaving every group the train pairs its models need and held-out points (or "
            f"{MIN_TEST_PAIRS} test pairs) in every fold (or more points; or groups: auto "
            "drops such groups)"
        )
    for group, described in problems.items():
        log.warning("groups: auto drops group %r: too few pairs (%s)", group, described)
    kept = [group for group in groups if group not in problems]
    if not kept:
        raise ConfigError(
            f"config key 'groups': value 'auto' leaves no group that can be fitted: {problems}"
        )
    config["groups"] = kept


def _check_compare(config: Mapping[str, Any]) -> None:
    for name in config["compare"]:
        family(name)  # the schema's enum and the registry agree (a test says so)


def _measured_points(config: Mapping[str, Any], law: Law):
    """Polymers and points of a ``source: file`` config, read and checked against the law
    (refusing the rows where it is not valid, by their row numbers)."""
    data = config["data"]
    if not data.get("path"):
        raise ConfigError(
            "config key 'data.path': value None is not allowed with data.source 'file'; "
            "expected the path of a CSV or Parquet table"
        )
    swept = sorted(set(config.get("sweep") or {}) & {*law.scenario_keys, NOISE_KEY})
    if swept:
        raise ConfigError(
            f"config key 'sweep': {swept} cannot be swept with data.source 'file' "
            "(measured data have their own constants)"
        )
    points = data_module.read_data_file(data)
    _check_law_covers(law, points, f"data file {data['path']}")
    invalid = data_module.invalid_rows(points, law)
    if len(invalid):
        listed = "; ".join(f"row {row}: {reason}" for row, reason in invalid.head(10).to_numpy())
        raise data_module.DataFileError(
            f"data file {data['path']}: {len(invalid)} row(s) outside the validity of law "
            f"{law.name!r}: {listed}"
        )
    return data_module.measured_polymers(points), points


def _check_law_covers(law: Law, points, where: str) -> None:
    """The law's known constants cover the points (e.g. the free-volume table their polymers),
    and the points fit the law's shape (one solute per polymer for free_volume)."""
    try:
        law.check_points(points)
    except ValueError as error:
        raise ConfigError(f"config key 'law': value {law.name!r} with {where}: {error}") from None
    problem = law.shape_problem(points)
    if problem:
        raise ConfigError(f"config key 'law': value {law.name!r} with {where}: {problem}")


def _check_b_inputs(config: Mapping[str, Any], law: Law) -> None:
    if "twin_structured" in config["models"]:
        b_inputs = config["twin_structured"]["b_inputs"]
        if b_inputs not in law.allowed_b_inputs:
            raise ConfigError(
                f"config key 'twin_structured.b_inputs': value {b_inputs!r} is not allowed with "
                f"law {law.name!r}; expected one of {list(law.allowed_b_inputs)} (see README: Laws)"
            )


SYMBOLIC_SWITCHES = ("enabled", "models")  # keys of the symbolic section that are not settings


def symbolic_models(config: Mapping[str, Any]) -> list[str]:
    """The fitted models that get the symbolic rule: those of ``symbolic.models`` in ``models``
    (in the order of ``models``), none unless ``symbolic.enabled``."""
    section = config["symbolic"]
    if not section["enabled"]:
        return []
    return [model for model in config["models"] if model in section["models"]]


def symbolic_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The symbolic section's settings of a recovery (its search keys and ``snap``)."""
    return {k: v for k, v in config["symbolic"].items() if k not in SYMBOLIC_SWITCHES}


def _check_symbolic(config: Mapping[str, Any]) -> None:
    if config["symbolic"]["enabled"] and not symbolic_models(config):
        raise ConfigError(
            f"config key 'symbolic.models': value {config['symbolic']['models']!r} has no model "
            f"of models {config['models']!r}; with symbolic.enabled, expected at least one"
        )


def read_queries(config: Mapping[str, Any], points) -> Any:
    """The query points of ``predict.path`` (polymer, M, T [, Tg] in data.T_unit), with the
    data's Tg where the file has none; None without a query file.  ConfigError for a polymer
    the data do not have (no measured point to anchor on)."""
    path = config["predict"]["path"]
    if not path:
        return None
    queries = data_module.read_query_file(
        path, config["predict"]["columns"], config["data"]["T_unit"], points
    )
    unknown = sorted(set(queries["Polymer"]) - set(points["Polymer"]))
    if unknown:
        raise ConfigError(
            f"config key 'predict.path': {path} asks for polymer(s) {unknown} that the data do "
            f"not have (known: {list(pd.unique(points['Polymer']))}): a contrastive prediction "
            "is anchored on measured points of the same polymer"
        )
    return queries


def data_points(config: dict[str, Any], polymers: list[Polymer] | None = None):
    """The points the data have (measured) or will have (the grid of the simulation: polymer,
    M, T, Tg; no D), as validation and the fold count see them."""
    if measured(config):
        return data_module.read_data_file(config["data"])
    data = config["data"]
    polymers = polymers if polymers is not None else resolve_polymers(data["polymers"])
    return data_module.grid_points(
        data_module.grid(data["M"]), data_module.grid(data["T_C"]), polymers
    )


def validate_config(config: dict[str, Any], schema: Mapping[str, Any]) -> list[Polymer]:
    """Complete ``config`` with the defaults (in place) and check it whole; return its resolved
    polymers or raise ConfigError (or DataFileError for a bad measured-data file).  ``groups:
    auto`` becomes the list of the groups that can be fitted."""
    check_schema(config, schema)
    config["free_volume"]["parameters"] = resolve_path(config["free_volume"]["parameters"])
    _check_split_settings(config, schema)
    _check_compare(config)
    _check_symbolic(config)
    law = law_of(config)
    _check_b_inputs(config, law)
    if measured(config):
        polymers, points = _measured_points(config, law)
    else:
        polymers = resolve_polymers(config["data"]["polymers"])
        _check_grid(config)
        points = data_points(config, polymers)
        _check_law_covers(law, points, "the simulated polymers")
        _check_validity(config, law, polymers)
    read_queries(config, points)
    if config["groups"] != "auto":
        _check_groups(config, polymers)
    _check_pair_counts(config, points, polymers)
    return polymers


def identifiability_rows(config: Mapping[str, Any], points, groups) -> list[dict[str, str]]:
    """Per model, group and parameter (and alpha): what the points of the group identify (the
    model family's statuses, decided before any fit); logged where something is not."""
    from contrastive_gs.pairs import select_points

    law = law_of(config)
    rows = []
    for model in config["models"]:
        family = family_from_config(model, config[model], law)
        for group in groups:
            for parameter, status in family.identifiability(select_points(points, group)).items():
                rows.append({"model": model, "group": group, "parameter": parameter,
                             "status": status})  # fmt: skip
                if not status.startswith(ESTIMATED):
                    log.info("%s %s %s: %s", model, group, parameter, status)
    return rows


# --- sweep points -------------------------------------------------------------------------------


def pair_settings(section: Mapping[str, Any]) -> PairSettings:
    """How points are paired, from the ``pairs`` section of the config."""
    return PairSettings(
        section["scope"], section["max_pairs"], section["split_seed"], section["sample"]
    )


def scenario_table(config: Mapping[str, Any]) -> list[dict[str, float]]:
    """One dict per scenario (combination of the swept data keys), in a stable order."""
    keys = scenario_keys(config)
    values = [[float(v) for v in swept_values(config, None, key)] for key in keys]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]


def hyper_table(config: Mapping[str, Any], model: str) -> list[dict[str, Any]]:
    """One dict per hyper-parameter point of a model (combination of its swept keys)."""
    keys = family(model).hyper_keys
    values = [swept_values(config, model, key) for key in keys]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]


def reference_point(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The sweep point that sweep figures hold fixed while they vary one or two keys:
    ``{"scenario": {Ka, Kb, noise}, model: {its hyper keys}}`` for every model of the config,
    each key at its single config value if the sweep includes it, else at the first value of
    its sweep list."""

    def reference(section: str | None, key: str) -> Any:
        values = swept_values(config, section, key)
        single = config["data"][key] if section is None else config[section][key]
        return single if single in values else values[0]

    point = {"scenario": {key: float(reference(None, key)) for key in scenario_keys(config)}}
    for model in config["models"]:
        point[model] = {key: reference(model, key) for key in family(model).hyper_keys}
    return point


def reference_scenario_path(config: Mapping[str, Any]) -> str:
    """The ``key~value`` folders of the reference scenario (see :func:`reference_point`)."""
    return layout.key_value_path(reference_point(config)["scenario"])
