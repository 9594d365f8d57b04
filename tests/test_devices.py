"""Devices of the torch fits: the registry, what each entry resolves to, training on the chosen
device with the fitted networks back on the CPU; on a machine with a GPU, deterministic CUDA
fits that agree with the CPU's."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from helpers import fit_one

from contrastive_gs import data, training
from contrastive_gs.devices import DEVICES, DeviceUnavailableError, device
from contrastive_gs.laws import lecture
from contrastive_gs.pairs import PairSettings, make_pairs
from contrastive_gs.polymers import Polymer
from contrastive_gs.splits.points import PointSplit

FAST = {"width": 16, "epochs": 200}
NO_GPU = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
GPU = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")


@pytest.fixture(scope="module", autouse=True)
def _one_thread(one_torch_thread):
    """Tiny networks: one thread, the fits' intended setting."""


@pytest.fixture(autouse=True)
def _default_device(monkeypatch):
    """Each test starts, and leaves the process, on the default device (the CPU)."""
    monkeypatch.setattr(training, "_device", None)


@pytest.fixture(scope="module")
def small():
    settings = data.SimulationSettings(
        law=lecture.LectureLaw(M0=100.0, D0=1e-9), values={"Ka": 140.0, "Kb": 40.0}, noise=0.0,
        noise_seed=0, M=np.linspace(40, 500, 4), T_C=np.linspace(23, 100, 4),
        polymers=(Polymer("PP", 273.0), Polymer("HDPE", 173.0)),
    )  # fmt: skip
    points = data.simulate(settings)
    return points, make_pairs(points, PairSettings("within", None, 0), PointSplit(0.2, 0))


def test_registry_holds_cpu_cuda_auto():
    assert set(DEVICES) == {"auto", "cpu", "cuda"}
    assert [name for name, entry in DEVICES.items() if entry.requests_gpu] == ["cuda"]
    with pytest.raises(KeyError, match="unknown device 'tpu'; known: \\['auto', 'cpu', 'cuda'\\]"):
        device("tpu")


def test_cpu_and_auto_resolve_to_the_cpu_without_a_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert device("cpu").resolve() == torch.device("cpu")
    assert device("auto").resolve() == torch.device("cpu")


def test_auto_resolves_to_the_gpu_where_the_job_sees_one(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert device("auto").resolve() == torch.device("cuda", 0)


@NO_GPU
def test_cuda_without_a_gpu_says_what_torch_sees_and_what_to_do():
    with pytest.raises(DeviceUnavailableError, match="device 'cuda': torch .* sees no CUDA"):
        training.use_device("cuda")
    with pytest.raises(DeviceUnavailableError, match="use device: cpu or auto"):
        device("cuda").resolve()


def test_cuda_prepares_deterministic_cublas(monkeypatch):
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    device("cuda").prepare(torch.device("cuda", 0))
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
    monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", ":16:8")  # the user's own value is kept
    device("auto").prepare(torch.device("cuda", 0))
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":16:8"


@pytest.mark.parametrize("name", ["nn", "twin_structured"])
def test_the_cpu_device_gives_the_default_numbers(small, name):
    """use_device('cpu') is the default: the same numbers, bit for bit, networks on the CPU."""
    points, pairs = small
    default = fit_one(name, points, pairs, 0, **FAST)
    assert training.use_device("cpu") == torch.device("cpu")
    chosen = fit_one(name, points, pairs, 0, **FAST)
    np.testing.assert_array_equal(default.predictions["y_pred"], chosen.predictions["y_pred"])
    networks = chosen.model.networks if name != "nn" else chosen.model.network
    assert {p.device.type for p in networks.parameters()} == {"cpu"}


@GPU
@pytest.mark.parametrize("name", ["nn", "twin", "twin_structured"])
def test_cuda_fits_are_deterministic_and_agree_with_the_cpu(small, name):
    """On a GPU: the same seed twice gives the same numbers; the fit agrees with the CPU's to
    rounding (float64 twins) or to float32 (nn); the fitted networks are back on the CPU."""
    points, pairs = small
    on_cpu = fit_one(name, points, pairs, 0, **FAST)
    training.use_device("cuda")
    first, again = (fit_one(name, points, pairs, 0, **FAST) for _ in range(2))
    np.testing.assert_array_equal(first.predictions["y_pred"], again.predictions["y_pred"])
    tolerance = 1e-3 if name == "nn" else 1e-6
    np.testing.assert_allclose(
        first.predictions["y_pred"], on_cpu.predictions["y_pred"], rtol=0, atol=tolerance
    )
    networks = first.model.networks if name != "nn" else first.model.network
    assert {p.device.type for p in networks.parameters()} == {"cpu"}
