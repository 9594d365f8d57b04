"""Devices of the torch fits: one module per device, registered in :data:`DEVICES` by name
(``device`` in the config selects one).  See ``_base.py`` for what an entry declares."""

from __future__ import annotations

from contrastive_gs.devices._base import Device, DeviceUnavailableError
from contrastive_gs.registry import discover, entry

DEVICES: dict[str, type[Device]] = discover(__name__, __path__, Device)


def device(name: str) -> Device:
    """The device entry ``name``; KeyError naming the known ones otherwise."""
    return entry(DEVICES, name, "device")()


__all__ = ["DEVICES", "Device", "DeviceUnavailableError", "device"]
