"""``cuda``: the torch fits on the job's first CUDA GPU, deterministic cuBLAS; a cluster job asks
the scheduler for one GPU (resource ``gpu``)."""

from __future__ import annotations

from typing import ClassVar

from contrastive_gs.devices._base import Device, DeviceUnavailableError


class Cuda(Device):
    name: ClassVar[str] = "cuda"
    description: ClassVar[str] = "the job's first CUDA GPU; a cluster job asks for one"
    requests_gpu: ClassVar[bool] = True
    # cuBLAS is deterministic only with a fixed workspace (CUDA's documentation; torch refuses
    # deterministic algorithms without it); it must be set before cuBLAS starts.
    environment: ClassVar[dict[str, str]] = {"CUBLAS_WORKSPACE_CONFIG": ":4096:8"}

    def resolve(self):
        import torch

        if not torch.cuda.is_available():
            raise DeviceUnavailableError(
                f"device 'cuda': torch {torch.__version__} sees no CUDA device here (CUDA build: "
                f"{torch.version.cuda or 'none'}); use device: cpu or auto, or run the job where "
                "a GPU is (profiles/slurm asks for one)"
            )
        return torch.device("cuda", 0)
