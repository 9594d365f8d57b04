"""``cpu``: every torch fit on the CPU, with the job's threads (the default)."""

from __future__ import annotations

from typing import ClassVar

from contrastive_gs.devices._base import Device


class Cpu(Device):
    name: ClassVar[str] = "cpu"
    description: ClassVar[str] = "the CPU, with the job's threads (the default)"

    def resolve(self):
        import torch

        return torch.device("cpu")
