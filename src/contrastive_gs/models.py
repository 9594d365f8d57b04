"""The lecture's two models on pair features: an MLP (PyTorch) and a polynomial (scikit-learn).

Both take the scaled features ``X`` (shape (n, 3)) and predict ``logD_ratio``.  torch and
scikit-learn are imported inside the functions that need them: each costs ~1 s to import, and a
job that trains only networks (or only polynomials) should not pay for the other.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    import torch
    from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)


class FitDivergedError(RuntimeError):
    """Training produced a non-finite loss; no result must be written."""


@dataclass(frozen=True)
class MLPSettings:
    """The ``nn`` section of the config: a ``3 - width x depth - 1`` MLP, full-batch Adam."""

    width: int = 32  # neurons per hidden layer
    depth: int = 2  # hidden layers
    activation: Literal["relu", "tanh", "silu"] = "relu"
    epochs: int = 500  # full-batch Adam steps
    lr: float = 0.01  # Adam learning rate
    log_every: int = 100  # epochs between two progress lines


@dataclass(frozen=True)
class PolySettings:
    """The ``poly`` section of the config."""

    degree: int = 2


def build_mlp(n_inputs: int, settings: MLPSettings) -> torch.nn.Sequential:
    """``n_inputs -> width (x depth, activation) -> 1``; PyTorch's default initialisation."""
    from torch import nn

    activation = {"relu": nn.ReLU, "tanh": nn.Tanh, "silu": nn.SiLU}[settings.activation]
    layers: list[nn.Module] = []
    for n_in in [n_inputs] + [settings.width] * (settings.depth - 1):
        layers += [nn.Linear(n_in, settings.width), activation()]
    return nn.Sequential(*layers, nn.Linear(settings.width, 1))


def seed_torch(seed: int) -> None:
    """Seed torch and make its kernels deterministic."""
    import torch

    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    # Our kernels write every element they allocate; filling fresh memory with NaN first (the
    # default under deterministic algorithms) would only cost time.
    torch.utils.deterministic.fill_uninitialized_memory = False


def set_torch_threads(threads: int) -> None:
    """Use ``threads`` CPU threads in torch (a job's ``threads:``, so that ``--cores N`` never
    oversubscribes)."""
    import torch

    torch.set_num_threads(threads)


def train_full_batch(
    model: torch.nn.Module,
    loss_of_model,
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
    import torch

    optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=True)  # one kernel per step
    losses = []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()
        loss = loss_of_model(model)
        values = loss.detach().numpy()
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
    X: np.ndarray, y: np.ndarray, settings: MLPSettings, seeds: list[int], label: str = ""
) -> list[torch.nn.Sequential]:
    """Train the lecture's MLP once per seed on scaled ``X`` (n, k) and scaled ``y`` (n,):
    float32, MSE, full-batch Adam for ``settings.epochs`` steps.  Returns one network per seed,
    in ``seeds`` order, in eval mode.

    Each network starts from PyTorch's default initialisation under ``torch.manual_seed(seed)``
    (as :func:`build_mlp` alone would) and its result depends on its seed only, not on the
    other seeds (:func:`seed_groups`).
    """
    import torch

    X_t = torch.tensor(X, dtype=torch.float32)
    y_t = torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
    trained = {}
    for group in seed_groups(list(seeds), settings.width):
        networks = []
        for seed in group:
            seed_torch(seed)
            networks.append(build_mlp(X_t.shape[1], settings))
        _train_stacked(networks, X_t, y_t, settings, f"{label} seeds={group}")
        trained.update(zip(group, networks, strict=True))
    return [trained[seed].eval() for seed in seeds]


def _train_stacked(networks, X, y, settings: MLPSettings, label: str) -> None:
    """Train ``networks`` (same architecture) as one ensemble on ``X`` (n, k), ``y`` (n, 1).

    Their linear layers are stacked into weights (S, in, out) and biases (S, 1, out); the loss
    is the sum of the members' MSEs, so each member gets exactly its own gradient, and Adam acts
    element-wise.  The trained weights are written back into ``networks``.
    """
    import torch

    layers = [[m for m in network if isinstance(m, torch.nn.Linear)] for network in networks]
    weights = [
        torch.nn.Parameter(torch.stack([member[k].weight.detach().T for member in layers]))
        for k in range(len(layers[0]))
    ]
    biases = [
        torch.nn.Parameter(torch.stack([member[k].bias.detach()[None, :] for member in layers]))
        for k in range(len(layers[0]))
    ]
    activation = {  # in place where autograd allows (silu's gradient needs its input)
        "relu": torch.relu_,
        "tanh": torch.tanh_,
        "silu": torch.nn.functional.silu,
    }[settings.activation]
    inputs = X.expand(len(networks), *X.shape).contiguous()

    def member_losses(_) -> torch.Tensor:
        h = inputs
        for W, b in zip(weights[:-1], biases[:-1], strict=True):
            h = activation(torch.baddbmm(b, h, W))
        return ((torch.baddbmm(biases[-1], h, weights[-1]) - y) ** 2).mean(dim=(1, 2))

    stacked = torch.nn.ParameterList(weights + biases)
    train_full_batch(
        stacked, member_losses, settings.epochs, settings.lr, settings.log_every, label
    )
    with torch.no_grad():
        for member, network_layers in enumerate(layers):
            for linear, W, b in zip(network_layers, weights, biases, strict=True):
                linear.weight.copy_(W[member].T)
                linear.bias.copy_(b[member, 0])


def fit_mlp(
    X: np.ndarray, y: np.ndarray, settings: MLPSettings, seed: int, label: str = ""
) -> torch.nn.Sequential:
    """:func:`fit_mlps` for one seed."""
    return fit_mlps(X, y, settings, [seed], label)[0]


def predict_mlp(model: torch.nn.Module, X: np.ndarray) -> np.ndarray:
    """Predictions of a trained MLP on scaled ``X`` (n, k), shape (n,), float64."""
    import torch

    with torch.no_grad():
        return model(torch.tensor(X, dtype=torch.float32)).numpy().astype(np.float64).ravel()


def poly_pipeline(settings: PolySettings) -> Pipeline:
    """Polynomial regression of the given degree (all terms up to it) by least squares."""
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import PolynomialFeatures

    return Pipeline(
        [
            ("features", PolynomialFeatures(degree=settings.degree, include_bias=False)),
            ("regression", LinearRegression()),
        ]
    )


def poly_design_rank(X: np.ndarray, degree: int) -> tuple[int, int]:
    """(rank, number of terms) of the polynomial design on the non-constant columns of ``X``.

    A constant feature (``Tg_diff`` is 0 for pairs within one polymer) adds only zero columns;
    they are left out so that the check speaks of the features that vary.
    """
    from sklearn.preprocessing import PolynomialFeatures

    varying = X[:, np.ptp(X, axis=0) > 0]
    design = PolynomialFeatures(degree=degree, include_bias=True).fit_transform(varying)
    return int(np.linalg.matrix_rank(design)), design.shape[1]


def fit_poly(X: np.ndarray, y: np.ndarray, settings: PolySettings, label: str = "") -> Pipeline:
    """Fit the polynomial on scaled ``X`` (n, k) and ``y`` (n,); warn if the design is singular."""
    rank, n_terms = poly_design_rank(X, settings.degree)
    if rank < n_terms:
        log.warning(
            "%s: polynomial design is rank-deficient (rank %d of %d terms): too few distinct "
            "feature values for degree %d; least squares returns the minimum-norm solution",
            label,
            rank,
            n_terms,
            settings.degree,
        )
    return poly_pipeline(settings).fit(X, y)


@dataclass(frozen=True)
class Standardizer:
    """``(x - mean) / scale`` per column, as sklearn's StandardScaler (population std; a constant
    column gets scale 1).  Written out because importing scikit-learn costs a network job ~1 s."""

    mean: np.ndarray  # shape (k,)
    scale: np.ndarray  # shape (k,)

    @classmethod
    def fit(cls, values: np.ndarray) -> Standardizer:
        """Statistics of ``values`` (n, k)."""
        values = np.asarray(values, dtype=np.float64)
        scale = values.std(axis=0)
        return cls(values.mean(axis=0), np.where(scale > 0, scale, 1.0))

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.scale

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=np.float64) * self.scale + self.mean
