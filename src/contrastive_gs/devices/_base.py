"""What a device entry declares: where the torch fits of a job run.

A device resolves, inside the job that trains (never in the Snakemake process, which may run
on a login node without the hardware), to a ``torch.device``, and prepares torch there for
seeded, deterministic training.  Training moves its inputs and networks to that device and the
fitted networks back to the CPU before they are saved, so that a model trained anywhere loads
and predicts everywhere.  The same config gives the same numbers on the same device; two devices
agree to rounding, not bit for bit (their kernels differ).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import torch


class DeviceUnavailableError(RuntimeError):
    """The device asked for is not on this machine (the message says what torch sees)."""


class Device(ABC):
    """A device entry: ``name`` (the config's value), ``description`` (for the docs)."""

    name: ClassVar[str]
    description: ClassVar[str]
    requests_gpu: ClassVar[bool] = False  # a cluster job for it asks the scheduler for a GPU
    # Environment variables deterministic work needs, set (unless the user set them) before any
    # kernel of the device runs.
    environment: ClassVar[dict[str, str]] = {}

    @abstractmethod
    def resolve(self) -> torch.device:
        """The torch device of this job; DeviceUnavailableError where it is not here."""

    def prepare(self, device: torch.device) -> None:
        """Set up torch for deterministic work on ``device`` (before any of its kernels run):
        the entry's ``environment``."""
        for name, value in self.environment.items():
            os.environ.setdefault(name, value)
