"""Registries: one per axis of the workflow (laws, model families, splits, devices), each a dict
from an entry's name to its class, filled by importing every public module of the axis' package.

Adding an entry is adding a module: nothing else lists the entries.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable
from typing import TypeVar

Entry = TypeVar("Entry")


def discover(package: str, path: Iterable[str], base: type[Entry]) -> dict[str, type[Entry]]:
    """``{name: class}`` of the concrete subclasses of ``base`` defined in the public modules
    (names not starting with ``_``) of ``package``, in module-name order.

    Each entry class names itself with a ``name`` class attribute; two entries of one name are a
    programming error (ValueError).
    """
    entries: dict[str, type[Entry]] = {}
    for module_info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, base):
                continue
            if inspect.isabstract(cls):
                continue
            if cls.name in entries:
                raise ValueError(f"{package}: two entries named {cls.name!r}")
            entries[cls.name] = cls
    return entries


def entry(registry: dict[str, type[Entry]], name: str, kind: str) -> type[Entry]:
    """The entry ``name`` of ``registry``; KeyError naming the known entries otherwise."""
    try:
        return registry[name]
    except KeyError:
        raise KeyError(f"unknown {kind} {name!r}; known: {sorted(registry)}") from None
