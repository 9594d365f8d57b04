"""Configuration: validation with messages that name the key, the value and what is allowed.

The JSON schema (``workflow/schemas/config.schema.yaml``) checks types, ranges and unknown keys;
:func:`validate_config` adds the checks a schema cannot express (presets, group names, alpha's
pole over the whole grid, enough pairs for a split) and raises one :class:`ConfigError`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import yaml

from contrastive_gs import physics
from contrastive_gs.data import grid
from contrastive_gs.pairs import POOLED

SCENARIO_KEYS = ("Ka", "Kb", "noise")  # data keys that a sweep may vary, in path order
HYPER_KEYS = {"nn": ("width", "depth"), "poly": ("degree",)}  # model keys a sweep may vary


class ConfigError(ValueError):
    """An invalid configuration; the message names the key, the value and what is allowed."""


def load_schema(path: str | Path) -> dict[str, Any]:
    """Read the JSON schema (YAML syntax) of the configuration."""
    return yaml.safe_load(Path(path).read_text())


def _key_name(path: Any) -> str:
    return ".".join(str(part) for part in path) or "<top level>"


def _schema_message(error: jsonschema.ValidationError) -> str:
    key = _key_name(error.absolute_path)
    if error.validator == "additionalProperties":
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
        "uniqueItems": lambda v: "a list without duplicates",
        "pattern": lambda v: f"a string matching {v}",
    }.get(error.validator, lambda v: f"{error.validator} {v}")(error.validator_value)
    return f"config key '{key}': value {error.instance!r} is not allowed; expected {allowed}"


def check_schema(config: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    """Raise ConfigError for the first schema violation (the deepest, most specific one)."""
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is not None:
        raise ConfigError(_schema_message(error))


def resolve_polymers(entries: list[Mapping[str, Any]]) -> list[physics.Polymer]:
    """Polymers from config entries: ``{preset: NAME}`` or ``{name, Tg, r}`` (explicit wins)."""
    polymers = []
    for index, entry in enumerate(entries):
        key = f"data.polymers.{index}"
        base = None
        if "preset" in entry:
            if entry["preset"] not in physics.PRESETS:
                raise ConfigError(
                    f"config key '{key}.preset': value {entry['preset']!r} is not allowed; "
                    f"expected one of {sorted(physics.PRESETS)}"
                )
            base = physics.PRESETS[entry["preset"]]
        name = entry.get("name", base.name if base else None)
        Tg = entry.get("Tg", base.Tg if base else None)
        if name is None or Tg is None:
            raise ConfigError(
                f"config key '{key}': {dict(entry)!r} needs a 'preset' or both 'name' and 'Tg'"
            )
        r = entry.get("r", base.r_glassy if base else 1.0)
        polymers.append(physics.Polymer(name=name, Tg=float(Tg), r_glassy=float(r)))
    names = [p.name for p in polymers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(
            f"config key 'data.polymers': duplicate polymer name(s) {duplicates}; "
            "names must be unique"
        )
    return polymers


def swept_values(config: Mapping[str, Any], section: str | None, key: str) -> list[Any]:
    """Values of one key across the sweep: the sweep list if given, else the single value."""
    sweep = config.get("sweep", {}) or {}
    if section is None:
        return list(sweep.get(key, [config["data"][key]]))
    return list(sweep.get(section, {}).get(key, [config[section][key]]))


def _check_physics(config: Mapping[str, Any], polymers: list[physics.Polymer]) -> None:
    data = config["data"]
    for key in ("M", "T_C"):
        spec = data[key]
        if spec["start"] >= spec["stop"]:
            raise ConfigError(
                f"config key 'data.{key}': start {spec['start']} must be below stop {spec['stop']}"
            )
    M = grid(data["M"])
    if M.min() <= 0:
        raise ConfigError(
            f"config key 'data.M.start': value {data['M']['start']!r} is not allowed; "
            "molar masses must be > 0 g/mol"
        )
    T = grid(data["T_C"]) + 273.15
    if T.min() <= 0:
        raise ConfigError(
            f"config key 'data.T_C.start': value {data['T_C']['start']!r} is not allowed; "
            "temperatures must be above -273.15 degC"
        )
    for Kb in swept_values(config, None, "Kb"):
        for polymer in polymers:
            margin = physics.pole_distance(T, polymer.Tg, Kb, polymer.r_glassy).min()
            if margin <= physics.POLE_MARGIN_K:
                raise ConfigError(
                    f"config key 'data.Kb': value {Kb!r} puts alpha at its pole for polymer "
                    f"{polymer.name} (Tg={polymer.Tg} K, r={polymer.r_glassy}): "
                    f"Kb + r (T - Tg) = {margin:.4g} K on the grid; allowed: > "
                    f"{physics.POLE_MARGIN_K} K at every grid temperature"
                )


def _check_groups(config: Mapping[str, Any], polymers: list[physics.Polymer]) -> None:
    allowed = [POOLED] + [p.name for p in polymers]
    for group in config["groups"]:
        if group not in allowed:
            raise ConfigError(
                f"config key 'groups': value {group!r} is not allowed; expected one of {allowed}"
            )


def _check_pair_counts(config: Mapping[str, Any], polymers: list[physics.Polymer]) -> None:
    pairs = config["pairs"]
    max_pairs = pairs["max_pairs"]
    if max_pairs is not None and max_pairs * pairs["test_size"] < 1:
        raise ConfigError(
            f"config key 'pairs.max_pairs': value {max_pairs!r} leaves no test pair at "
            f"test_size {pairs['test_size']}; "
            f"allowed: at least {int(np.ceil(1 / pairs['test_size']))}"
        )
    if pairs["split"] == "points":
        points_per_polymer = config["data"]["M"]["num"] * config["data"]["T_C"]["num"]
        n_test = int(np.ceil(pairs["test_size"] * points_per_polymer))
        if n_test < 2 or points_per_polymer - n_test < 2:
            raise ConfigError(
                f"config key 'pairs.test_size': value {pairs['test_size']!r} leaves fewer than 2 "
                f"points on one side of the 'points' split ({points_per_polymer} points per "
                "polymer); allowed: a value leaving at least 2 points on each side"
            )


def validate_config(config: Mapping[str, Any], schema: Mapping[str, Any]) -> list[physics.Polymer]:
    """Check a whole configuration; return its resolved polymers or raise ConfigError."""
    check_schema(config, schema)
    polymers = resolve_polymers(config["data"]["polymers"])
    _check_physics(config, polymers)
    _check_groups(config, polymers)
    _check_pair_counts(config, polymers)
    return polymers


def scenario_table(config: Mapping[str, Any]) -> list[dict[str, float]]:
    """One dict per scenario (combination of the swept data keys), in a stable order."""
    values = [[float(v) for v in swept_values(config, None, key)] for key in SCENARIO_KEYS]
    return [dict(zip(SCENARIO_KEYS, combo, strict=True)) for combo in itertools.product(*values)]


def hyper_table(config: Mapping[str, Any], model: str) -> list[dict[str, int]]:
    """One dict per hyper-parameter point of a model (combination of its swept keys)."""
    keys = HYPER_KEYS[model]
    values = [swept_values(config, model, key) for key in keys]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]


def key_value_regex(keys: tuple[str, ...]) -> str:
    """Regex of the ``key~value`` folders of ``keys`` (a Snakemake wildcard constraint)."""
    return "/".join(f"{key}~[^/]+" for key in keys)
