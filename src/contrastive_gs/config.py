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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import yaml

from contrastive_gs import data as data_module
from contrastive_gs import layout
from contrastive_gs.families import family
from contrastive_gs.laws import Law, law_from_config
from contrastive_gs.pairs import POOLED, PairSettings, expected_pair_counts
from contrastive_gs.polymers import PRESETS, PUBLISHED_CONSTANTS, Polymer
from contrastive_gs.splits import SPLITS, split_from_config

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"
MIN_PAIRS_PER_SIDE = 2  # train and test pairs a fit group needs at least
NOISE_KEY = "noise"  # the data key that a scenario sets beside the law's parameters


class ConfigError(ValueError):
    """An invalid configuration; the message names the key, the value and what is allowed."""


def load_schema(path: str | Path = SCHEMA_PATH) -> dict[str, Any]:
    """Read the JSON schema (YAML syntax) of the configuration."""
    return yaml.safe_load(Path(path).read_text())


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
    return law_from_config(config["law"], config["data"])


def scenario_keys(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The data keys of a scenario, in path order: the law's parameters, then the noise."""
    return (*law_of(config).scenario_keys, NOISE_KEY)


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
        if spec["start"] >= spec["stop"]:
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
    T = data_module.grid(config["data"]["T_C"]) + data_module.KELVIN_OFFSET
    sweep = config.get("sweep") or {}
    for scenario in scenario_table(config):
        for polymer in polymers:
            values = {**scenario, "r_glassy": polymer.r_glassy}
            problem = law.validity_problem(T, polymer.Tg, values)
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


def check_pair_counts(config: Mapping[str, Any], points) -> None:
    """Every fit group must expect at least MIN_PAIRS_PER_SIDE train and test pairs in every
    fold, from the ``points`` of the data (only their polymers and temperatures matter)."""
    pairs = config["pairs"]
    split = split_from_config(pairs)
    settings = pair_settings(pairs)
    uncapped = PairSettings(settings.scope, None, settings.split_seed)
    for fold, (capped_counts, all_counts) in enumerate(
        zip(
            expected_pair_counts(points, settings, split, config["groups"]),
            expected_pair_counts(points, uncapped, split, config["groups"]),
            strict=True,
        )
    ):
        for group in config["groups"]:
            fewest = min(capped_counts[group].values())
            if fewest >= MIN_PAIRS_PER_SIDE:
                continue
            sides = ", ".join(f"{n:g} {side}" for side, n in capped_counts[group].items())
            if min(all_counts[group].values()) >= MIN_PAIRS_PER_SIDE:
                raise ConfigError(
                    f"config key 'pairs.max_pairs': value {pairs['max_pairs']!r} keeps about "
                    f"{fewest:.1f} pairs on one side of the split for group {group!r} "
                    f"({sides} pairs); allowed: a cap keeping at least {MIN_PAIRS_PER_SIDE} "
                    "train and test pairs per group"
                )
            key = split.config_keys()[0]
            n_points = len(points) if group == POOLED else int((points["Polymer"] == group).sum())
            raise ConfigError(
                f"config key 'pairs.{key}': value {pairs[key]!r} leaves {fewest:g} pairs on one "
                f"side of the '{pairs['split']}' split for group {group!r} (fold {fold}: "
                f"{sides} pairs from {n_points} points); allowed: a split leaving at least "
                f"{MIN_PAIRS_PER_SIDE} train and test pairs per group (or more points)"
            )


def _check_compare(config: Mapping[str, Any]) -> None:
    for name in config["compare"]:
        family(name)  # the schema's enum and the registry agree (a test says so)


def _measured_polymers(config: Mapping[str, Any]) -> tuple[list[Polymer], Any]:
    """Polymers and points of a ``source: file`` config, read (and checked) from the file."""
    data = config["data"]
    if not data.get("path"):
        raise ConfigError(
            "config key 'data.path': value None is not allowed with data.source 'file'; "
            "expected the path of a CSV or Parquet table"
        )
    law = law_of(config)
    swept = sorted(set(config.get("sweep") or {}) & set(law.scenario_keys))
    if swept:
        raise ConfigError(
            f"config key 'sweep': {swept} cannot be swept with data.source 'file' "
            "(measured data have their own constants)"
        )
    points = data_module.read_measured(data["path"])
    return data_module.measured_polymers(points), points


def validate_config(config: dict[str, Any], schema: Mapping[str, Any]) -> list[Polymer]:
    """Complete ``config`` with the defaults (in place) and check it whole; return its resolved
    polymers or raise ConfigError (or DataFileError for a bad measured-data file)."""
    check_schema(config, schema)
    _check_split_settings(config, schema)
    _check_compare(config)
    if config["data"]["source"] == "file":
        polymers, points = _measured_polymers(config)
    else:
        polymers = resolve_polymers(config["data"]["polymers"])
        _check_grid(config)
        _check_validity(config, law_of(config), polymers)
        data = config["data"]
        points = data_module.grid_points(
            data_module.grid(data["M"]), data_module.grid(data["T_C"]), polymers
        )
    _check_groups(config, polymers)
    check_pair_counts(config, points)
    return polymers


# --- sweep points -------------------------------------------------------------------------------


def pair_settings(section: Mapping[str, Any]) -> PairSettings:
    """How points are paired, from the ``pairs`` section of the config."""
    return PairSettings(section["scope"], section["max_pairs"], section["split_seed"])


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
