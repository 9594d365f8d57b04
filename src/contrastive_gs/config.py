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
from contrastive_gs.data import KELVIN_OFFSET, grid, measured_polymers, read_measured
from contrastive_gs.pairs import POOLED

MIN_PAIRS_PER_SIDE = 2  # train and test pairs a fit group needs at least
SCENARIO_KEYS = ("Ka", "Kb", "noise")  # data keys that a sweep may vary, in path order
HYPER_KEYS = {  # model keys a sweep may vary, in path order
    "nn": ("width", "depth"),
    "poly": ("degree",),
    "twin": ("width", "depth"),
    "twin_structured": ("width", "depth"),
    "kernel": ("fit_r",),
}


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


def _published_constants_hint(name: str) -> str:
    if name not in physics.PUBLISHED_CONSTANTS:
        return ""
    Ka, Kb = physics.PUBLISHED_CONSTANTS[name]
    return f" (published constants of {name}: Ka = {Ka} K, Kb = {Kb} K; set data.Ka and data.Kb)"


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
    T = grid(data["T_C"]) + KELVIN_OFFSET
    if T.min() <= 0:
        raise ConfigError(
            f"config key 'data.T_C.start': value {data['T_C']['start']!r} is not allowed; "
            "temperatures must be above -273.15 degC"
        )
    key = "sweep.Kb" if "Kb" in (config.get("sweep") or {}) else "data.Kb"
    for Kb in swept_values(config, None, "Kb"):
        for polymer in polymers:
            margin = physics.pole_distance(T, polymer.Tg, Kb, polymer.r_glassy).min()
            if margin <= physics.POLE_MARGIN_K:
                raise ConfigError(
                    f"config key '{key}': value {Kb!r} puts alpha at its pole for polymer "
                    f"{polymer.name} (Tg={polymer.Tg} K, r={polymer.r_glassy}): "
                    f"Kb + r (T - Tg) = {margin:.4g} K on the grid; allowed: > "
                    f"{physics.POLE_MARGIN_K} K at every grid temperature"
                    + _published_constants_hint(polymer.name)
                )


def _check_groups(config: Mapping[str, Any], polymers: list[physics.Polymer]) -> None:
    allowed = [POOLED] + [p.name for p in polymers]
    for group in config["groups"]:
        if group not in allowed:
            raise ConfigError(
                f"config key 'groups': value {group!r} is not allowed; expected one of {allowed}"
            )


def _n_pairs(n: int) -> int:
    return n * (n - 1) // 2


def _side_pair_counts(config: Mapping[str, Any], n_polymers: int) -> dict[str, dict[str, float]]:
    """Pairs (before any max_pairs cap) per split for the pooled group and for one polymer."""
    pairs = config["pairs"]
    n = config["data"]["M"]["num"] * config["data"]["T_C"]["num"]  # points per polymer
    if pairs["split"] in ("points", "temperature"):
        n_test = int(np.ceil(pairs["test_size"] * n))
        if pairs["split"] == "temperature":
            above = grid(config["data"]["T_C"]) > pairs["test_above_T_C"]
            n_test = config["data"]["M"]["num"] * int(above.sum())
        polymer = {"train": _n_pairs(n - n_test), "test": _n_pairs(n_test)}
        if pairs["scope"] == "all":
            pooled = {
                "train": _n_pairs(n_polymers * (n - n_test)),
                "test": _n_pairs(n_polymers * n_test),
            }
        else:
            pooled = {side: n_polymers * count for side, count in polymer.items()}
    else:
        share = {"train": 1 - pairs["test_size"], "test": pairs["test_size"]}
        total = _n_pairs(n_polymers * n) if pairs["scope"] == "all" else n_polymers * _n_pairs(n)
        polymer = {side: f * _n_pairs(n) for side, f in share.items()}
        pooled = {side: f * total for side, f in share.items()}
    return {"pooled": pooled, "polymer": polymer}


def _check_pair_counts(config: Mapping[str, Any], polymers: list[physics.Polymer]) -> None:
    """Every fit group must expect at least MIN_PAIRS_PER_SIDE train and test pairs."""
    pairs = config["pairs"]
    if (pairs["split"] == "temperature") != (pairs["test_above_T_C"] is not None):
        raise ConfigError(
            f"config key 'pairs.test_above_T_C': value {pairs['test_above_T_C']!r} is not "
            f"allowed with pairs.split {pairs['split']!r}; expected a temperature (degC) with "
            "split 'temperature', and null otherwise"
        )
    counts = _side_pair_counts(config, len(polymers))
    available = sum(counts["pooled"].values())
    kept = 1.0 if pairs["max_pairs"] is None else min(1.0, pairs["max_pairs"] / available)
    for group in config["groups"]:
        sides = counts["pooled" if group == POOLED else "polymer"]
        fewest = min(sides.values())
        if kept * fewest >= MIN_PAIRS_PER_SIDE:
            continue
        if fewest >= MIN_PAIRS_PER_SIDE:
            raise ConfigError(
                f"config key 'pairs.max_pairs': value {pairs['max_pairs']!r} keeps about "
                f"{kept * fewest:.1f} pairs on one side of the split for group {group!r}; "
                f"allowed: a cap keeping at least {MIN_PAIRS_PER_SIDE} train and test pairs "
                f"per group (at least {int(np.ceil(MIN_PAIRS_PER_SIDE * available / fewest))})"
            )
        key = "test_above_T_C" if pairs["split"] == "temperature" else "test_size"
        raise ConfigError(
            f"config key 'pairs.{key}': value {pairs[key]!r} leaves {fewest:g} "
            f"pairs on one side of the '{pairs['split']}' split for group {group!r} "
            f"({config['data']['M']['num']} x {config['data']['T_C']['num']} points per "
            f"polymer); allowed: a split leaving at least {MIN_PAIRS_PER_SIDE} train and test "
            "pairs per group (or a larger grid)"
        )


def _measured_polymers(config: Mapping[str, Any]) -> list[physics.Polymer]:
    """Polymers of a ``source: file`` config, read (and checked) from the data file itself."""
    data = config["data"]
    if not data.get("path"):
        raise ConfigError(
            "config key 'data.path': value None is not allowed with data.source 'file'; "
            "expected the path of a CSV or Parquet table"
        )
    swept = sorted(set(config.get("sweep") or {}) & {"Ka", "Kb"})
    if swept:
        raise ConfigError(
            f"config key 'sweep': {swept} cannot be swept with data.source 'file' "
            "(measured data have their own constants)"
        )
    return measured_polymers(read_measured(data["path"]))


def validate_config(config: Mapping[str, Any], schema: Mapping[str, Any]) -> list[physics.Polymer]:
    """Check a whole configuration; return its resolved polymers or raise ConfigError (or
    DataFileError for a bad measured-data file)."""
    check_schema(config, schema)
    if config["data"]["source"] == "file":
        polymers = _measured_polymers(config)
        _check_groups(config, polymers)
        return polymers
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


def reference_point(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The sweep point that sweep figures hold fixed while they vary one or two keys:
    ``{"scenario": {Ka, Kb, noise}, model: {its hyper keys}}``, each key at its single config
    value if the sweep includes it, else at the first value of its sweep list."""

    def reference(section: str | None, key: str) -> Any:
        values = swept_values(config, section, key)
        single = config["data"][key] if section is None else config[section][key]
        return single if single in values else values[0]

    point = {"scenario": {key: reference(None, key) for key in SCENARIO_KEYS}}
    for model, keys in HYPER_KEYS.items():
        point[model] = {key: reference(model, key) for key in keys}
    return point


def reference_scenario_path(config: Mapping[str, Any]) -> str:
    """The ``key~value`` folders of the reference scenario (see :func:`reference_point`)."""
    point = reference_point(config)["scenario"]
    return "/".join(f"{key}~{float(point[key])}" for key in SCENARIO_KEYS)
