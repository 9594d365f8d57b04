"""Training of the torch networks: seeding, threads, the device, the MLP, full-batch Adam with a
step schedule, and ensembles of networks trained as one.

torch is imported inside the functions that need it: it costs a job ~1 s to import, and jobs
that fit no network should not pay for it.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from contrastive_gs.settings import NetworkSettings, ScheduleSettings

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)


class FitDivergedError(RuntimeError):
    """Training produced a non-finite loss; no result must be written."""


def seed_torch(seed: int) -> None:
    """Seed torch and make its kernels deterministic."""
    import torch

    torch.manual_seed(seed)
    # torch.use_deterministic_algorithms(True) less its import of torch._inductor (to set
    # inductor's flag), which costs a job ~2 s: these networks are never compiled.
    torch._C._set_deterministic_algorithms(True, warn_only=False)
    # Our kernels write every element they allocate; filling fresh memory with NaN first (the
    # default under deterministic algorithms) would only cost time.
    torch.utils.deterministic.fill_uninitialized_memory = False


def set_torch_threads(threads: int) -> None:
    """Use ``threads`` CPU threads in torch (a job's ``threads:``, so that ``--cores N`` never
    oversubscribes)."""
    import torch

    torch.set_num_threads(threads)


_device: torch.device | None = None  # where this process trains (use_device); None: the CPU


def use_device(name: str) -> torch.device:
    """Train this process's networks on the device entry ``name`` (config ``device``, see
    :mod:`contrastive_gs.devices`), prepared for deterministic work; the torch device.
    DeviceUnavailableError where it is not on this machine."""
    from contrastive_gs.devices import device

    global _device
    entry = device(name)
    resolved = entry.resolve()
    entry.prepare(resolved)
    _device = resolved
    log.info("device %s: torch fits run on %s", name, resolved)
    return resolved


def training_device() -> torch.device:
    """The device of this process's training (:func:`use_device`; the CPU by default).  Fitted
    networks are moved back to the CPU after training."""
    import torch

    return _device if _device is not None else torch.device("cpu")


def build_mlp(n_inputs: int, network: NetworkSettings) -> torch.nn.Sequential:
    """``n_inputs -> width (x depth, activation) -> 1``; PyTorch's default initialisation."""
    from torch import nn

    activation = {"relu": nn.ReLU, "tanh": nn.Tanh, "silu": nn.SiLU}[network.activation]
    layers: list[nn.Module] = []
    for n_in in [n_inputs] + [network.width] * (network.depth - 1):
        layers += [nn.Linear(n_in, network.width), activation()]
    return nn.Sequential(*layers, nn.Linear(network.width, 1))


LossOfModel = Callable[["torch.nn.Module"], "torch.Tensor"]


class FusedAdam:
    """Adam, the step of ``torch.optim.Adam(params, lr, fused=True)`` (defaults: betas 0.9,
    0.999, eps 1e-8, no weight decay), bit for bit: the same state and the same fused kernel,
    one call per step.

    Written out because ``torch.optim``'s optimizers import ``torch._dynamo`` at their
    construction, which costs every network job ~1 s.
    """

    BETAS = (0.9, 0.999)
    EPS = 1e-8

    def __init__(self, params: list[torch.Tensor], lr: float):
        import torch

        self.params = params
        self.lr = lr
        self.exp_avgs = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in params]
        self.exp_avg_sqs = [
            torch.zeros_like(p, memory_format=torch.preserve_format) for p in params
        ]
        # A fused step counts in float32 on the parameters' device, as torch.optim's does.
        self.steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in params]

    def zero_grad(self) -> None:
        """Forget the gradients (set them to None, as torch.optim's default)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """One Adam step on every parameter, from its ``.grad``."""
        import torch

        torch._foreach_add_(self.steps, 1)
        torch._fused_adam_(
            self.params, [p.grad for p in self.params], self.exp_avgs, self.exp_avg_sqs, [],
            self.steps, amsgrad=False, lr=self.lr, beta1=self.BETAS[0], beta2=self.BETAS[1],
            weight_decay=0.0, eps=self.EPS, maximize=False, grad_scale=None, found_inf=None,
        )  # fmt: skip


def train_full_batch(
    model: torch.nn.Module,
    loss_of_model: LossOfModel,
    epochs: int,
    lr: float,
    log_every: int,
    label: str = "",
) -> list[float]:
    """Adam on ``loss_of_model(model)`` for ``epochs`` steps; return the loss per epoch.

    The loss is a scalar, or one loss per member of an ensemble (shape (S,)): their sum is
    minimised and reported.  Logs epoch, loss(es) and elapsed time every ``log_every`` epochs;
    raises FitDivergedError on a non-finite loss.
    """
    optimizer = FusedAdam(list(model.parameters()), lr)
    losses = []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()
        loss = loss_of_model(model)
        values = loss.detach().cpu().numpy()
        if not np.isfinite(values).all():
            raise FitDivergedError(
                f"{label}: training diverged at epoch {epoch} (loss {values}); "
                f"lower the learning rate (lr={lr})"
            )
        loss.sum().backward()
        optimizer.step()
        losses.append(float(values.sum()))
        if epoch % log_every == 0 or epoch == epochs:
            log.info(
                "%s epoch %d/%d loss %s elapsed %.2f s",
                label,
                epoch,
                epochs,
                np.array2string(values, precision=4),
                time.perf_counter() - start,
            )
    return losses


def train_in_stages(
    model: torch.nn.Module, loss_of_model: LossOfModel, schedule: ScheduleSettings, label: str
) -> list[float]:
    """:func:`train_full_batch` through each stage of ``schedule`` (a fresh Adam per stage);
    the loss of every epoch, in order."""
    losses: list[float] = []
    for epochs, lr in schedule.stages():
        losses += train_full_batch(model, loss_of_model, epochs, lr, schedule.log_every, label)
    return losses


# Networks at most this wide train all their seeds at once, as one ensemble of stacked weights
# (batched matmul): small matrices are dominated by per-operation overhead, which the ensemble
# pays once.  Wider networks train one seed at a time, where a batched matmul is slower on CPU.
ENSEMBLE_MAX_WIDTH = 32


def seed_groups(seeds: list[int], width: int) -> list[list[int]]:
    """Seeds trained together: all of them for narrow networks, else one by one.

    A lone seed of a narrow network is trained beside a copy of itself, so that every seed runs
    through the same batched kernels and its numbers never depend on the other seeds.
    """
    if width > ENSEMBLE_MAX_WIDTH:
        return [[seed] for seed in seeds]
    return [list(seeds) if len(seeds) > 1 else [*seeds, *seeds]]


def fit_mlps(
    X: np.ndarray,
    y: np.ndarray,
    network: NetworkSettings,
    schedule: ScheduleSettings,
    seeds: list[int],
    label: str = "",
) -> list[torch.nn.Sequential]:
    """Train an MLP once per seed on ``X`` (n, k) and ``y`` (n,): float32, MSE, full-batch Adam
    through the stages of ``schedule``.  Returns one network per seed, in ``seeds`` order, in
    eval mode.

    Each network starts from PyTorch's default initialisation under ``torch.manual_seed(seed)``
    (as :func:`build_mlp` alone would) and its result depends on its seed only, not on the
    other seeds (:func:`seed_groups`).
    """
    import torch

    device = training_device()
    X_t = torch.tensor(X, dtype=torch.float32, device=device)
    y_t = torch.tensor(y, dtype=torch.float32, device=device).reshape(-1, 1)

    def full_batch(group: list[int]) -> Iterator[Batch]:
        return itertools.repeat((X_t.expand(len(group), *X_t.shape).contiguous(), y_t))

    return _fit_seed_groups(X.shape[1], network, schedule, seeds, label, full_batch)


def fit_mlps_streamed(
    batches: Callable[[int], Iterator[tuple[np.ndarray, np.ndarray]]],
    n_inputs: int,
    network: NetworkSettings,
    schedule: ScheduleSettings,
    seeds: list[int],
    label: str = "",
) -> list[torch.nn.Sequential]:
    """As :func:`fit_mlps`, but each epoch is one Adam step on a fresh mini-batch per seed:
    ``batches(seed)`` yields that seed's batches, inputs (B, n_inputs) and targets (B,), drawn
    on the fly (so memory holds one batch, whatever the data).  A seed's result depends on its
    seed only."""
    import torch

    device = training_device()

    def streamed(group: list[int]) -> Iterator[Batch]:
        sources = [batches(seed) for seed in group]
        while True:
            drawn = [next(source) for source in sources]
            inputs = np.stack([X for X, _ in drawn])
            targets = np.stack([y for _, y in drawn])[..., None]
            yield (torch.tensor(inputs, dtype=torch.float32, device=device),
                   torch.tensor(targets, dtype=torch.float32, device=device))  # fmt: skip

    return _fit_seed_groups(n_inputs, network, schedule, seeds, label, streamed)


# One step's inputs (S, n, k) of the S members of an ensemble and their targets, (S, n, 1) or
# (n, 1) where the members share them.
Batch = tuple["torch.Tensor", "torch.Tensor"]


def _fit_seed_groups(
    n_inputs: int,
    network: NetworkSettings,
    schedule: ScheduleSettings,
    seeds: list[int],
    label: str,
    batches_of_group: Callable[[list[int]], Iterator[Batch]],
) -> list[torch.nn.Sequential]:
    """One network per seed, trained by groups of seeds (:func:`seed_groups`) as ensembles on
    the steps' batches ``batches_of_group(group)``; in ``seeds`` order, in eval mode."""
    trained = {}
    for group in seed_groups(list(seeds), network.width):
        networks = []
        for seed in group:
            seed_torch(seed)
            networks.append(build_mlp(n_inputs, network))
        _train_stacked(
            networks, batches_of_group(group), network, schedule, f"{label} seeds={group}"
        )
        trained.update(zip(group, networks, strict=True))
    return [trained[seed].eval() for seed in seeds]


def _train_stacked(
    networks, batches: Iterator[Batch], network: NetworkSettings, schedule, label: str
) -> None:
    """Train ``networks`` (same architecture) as one ensemble, each step on the next of
    ``batches``.

    Their linear layers are stacked into weights (S, in, out) and biases (S, 1, out); the loss
    is the sum of the members' MSEs, so each member gets exactly its own gradient, and Adam acts
    element-wise.  The stack lives on the training device (the networks' initial weights come
    from the CPU, so that a seed starts from the same weights on every device); the trained
    weights are written back into ``networks`` (on the CPU).
    """
    import torch

    device = training_device()
    layers = [[m for m in member if isinstance(m, torch.nn.Linear)] for member in networks]

    def stacked(parameters) -> torch.nn.Parameter:
        return torch.nn.Parameter(torch.stack(parameters).to(device))

    weights = [
        stacked([member[k].weight.detach().T for member in layers]) for k in range(len(layers[0]))
    ]
    biases = [
        stacked([member[k].bias.detach()[None, :] for member in layers])
        for k in range(len(layers[0]))
    ]
    activation = {  # in place where autograd allows (silu's gradient needs its input)
        "relu": torch.relu_,
        "tanh": torch.tanh_,
        "silu": torch.nn.functional.silu,
    }[network.activation]

    def member_losses(_) -> torch.Tensor:
        h, y = next(batches)
        for W, b in zip(weights[:-1], biases[:-1], strict=True):
            h = activation(torch.baddbmm(b, h, W))
        return ((torch.baddbmm(biases[-1], h, weights[-1]) - y) ** 2).mean(dim=(1, 2))

    train_in_stages(torch.nn.ParameterList(weights + biases), member_losses, schedule, label)
    with torch.no_grad():
        for member, network_layers in enumerate(layers):
            for linear, W, b in zip(network_layers, weights, biases, strict=True):
                linear.weight.copy_(W[member].T)
                linear.bias.copy_(b[member, 0])


def predict_mlp(model: torch.nn.Module, X: np.ndarray) -> np.ndarray:
    """Predictions of a trained float32 MLP on ``X`` (n, k), shape (n,), float64."""
    import torch

    with torch.no_grad():
        return model(torch.tensor(X, dtype=torch.float32)).numpy().astype(np.float64).ravel()
