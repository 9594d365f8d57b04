"""``auto``: the ``cuda`` device where torch sees one in the job, else the ``cpu``; a cluster job
asks for no GPU (use ``cuda`` for that)."""

from __future__ import annotations

from typing import ClassVar

from contrastive_gs.devices._base import Device
from contrastive_gs.devices.cpu import Cpu
from contrastive_gs.devices.cuda import Cuda


class Auto(Device):
    name: ClassVar[str] = "auto"
    description: ClassVar[str] = "cuda where the job sees a GPU, else cpu"

    def resolve(self):
        import torch

        return (Cuda() if torch.cuda.is_available() else Cpu()).resolve()

    def prepare(self, device) -> None:
        (Cuda() if device.type == "cuda" else Cpu()).prepare(device)
