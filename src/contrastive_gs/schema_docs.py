"""The README's configuration table, generated from the config schema (its one source).

    python -m contrastive_gs.schema_docs          # rewrite the table in README.md
    python -m contrastive_gs.schema_docs --check  # exit 1 if README.md's table is stale

Every key of ``workflow/schemas/config.schema.yaml`` becomes a row: its dotted name, its default,
what values it allows and its description.  Sections whose default is empty are expanded into
their keys; a key with a structured default (a grid, the polymers) is one row.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from contrastive_gs.config import SCHEMA_PATH, load_schema

README = SCHEMA_PATH.parents[2] / "README.md"
START = "<!-- config-table: generated from the schema by python -m contrastive_gs.schema_docs -->"
END = "<!-- config-table: end -->"
BOUNDS = {
    "minimum": ">= {}", "exclusiveMinimum": "> {}", "maximum": "<= {}", "exclusiveMaximum": "< {}",
}  # fmt: skip


def _resolve(root: Mapping[str, Any], reference: str) -> Mapping[str, Any]:
    node = root
    for part in reference.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _properties(node: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The properties of an object schema, merged over its ``$ref`` and ``allOf`` parts (its own
    entries first: a section's defaults beside its shared types)."""
    merged: dict[str, dict[str, Any]] = {}
    parts = [node]
    while parts:
        part = parts.pop(0)
        for name, subschema in part.get("properties", {}).items():
            entry = merged.setdefault(name, {})
            for key, value in _merged(subschema, root).items():
                entry.setdefault(key, value)
        if "$ref" in part:
            parts.append(_resolve(root, part["$ref"]))
        parts.extend(part.get("allOf", []))
    return merged


def _merged(subschema: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    """A property's schema with the keywords of its ``$ref`` (its own win)."""
    entry = dict(subschema)
    if "$ref" in subschema:
        for key, value in _merged(_resolve(root, subschema["$ref"]), root).items():
            entry.setdefault(key, value)
    return entry


def _is_section(entry: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    """An object to expand into its keys: it has properties, no structured default of its own,
    and keys with defaults (or, as ``sweep``, none at all)."""
    properties = _properties(entry, root)
    if not properties or entry.get("default", {}) != {}:
        return False
    return "default" not in entry or any("default" in p for p in properties.values())


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=1000, sort_keys=False).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _allowed(entry: Mapping[str, Any]) -> str:
    if "enum" in entry:
        return "one of " + ", ".join(f"`{_flow(v)}`" for v in entry["enum"])
    if "oneOf" in entry:
        return " or ".join(_allowed(option) or "`" + _flow(option.get("const")) + "`"
                           for option in entry["oneOf"])  # fmt: skip
    kinds = entry.get("type", "")
    text = " or ".join(kinds) if isinstance(kinds, list) else kinds
    if text == "array" and "items" in entry:
        text = f"list of {_allowed(entry['items']) or 'items'}"
    bounds = [template.format(entry[key]) for key, template in BOUNDS.items() if key in entry]
    return " ".join([text, *bounds]).strip()


def rows(schema: Mapping[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """(key, default, allowed values, description) of every key, in schema order."""

    def walk(node: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, str, str, str]]:
        for name, entry in _properties(node, schema).items():
            key = f"{prefix}{name}"
            if _is_section(entry, schema):
                yield from walk(entry, f"{key}.")
                continue
            default = f"`{_flow(entry['default'])}`" if "default" in entry else "none"
            yield key, default, _allowed(entry), entry.get("description", "")

    yield from walk(schema, "")


def config_table(schema: Mapping[str, Any]) -> str:
    """The configuration table in Markdown."""
    lines = ["| key | default | allowed | meaning |", "|---|---|---|---|"]
    for key, default, allowed, description in rows(schema):
        cells = [f"`{key}`", default, allowed, description.replace("|", "\\|")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def with_table(text: str, schema: Mapping[str, Any]) -> str:
    """``text`` (the README) with the table between its markers replaced."""
    start, end = text.index(START) + len(START), text.index(END)
    return f"{text[:start]}\n{config_table(schema)}\n{text[end:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if README.md is stale")
    arguments = parser.parse_args(argv)
    text = README.read_text()
    updated = with_table(text, load_schema())
    if arguments.check:
        if updated != text:
            print("README.md's configuration table differs from the schema; run "
                  "python -m contrastive_gs.schema_docs", file=sys.stderr)  # fmt: skip
            return 1
        return 0
    README.write_text(updated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
