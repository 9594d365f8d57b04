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

    Logs epoch, loss and elapsed time every ``log_every`` epochs; raises FitDivergedError on a
    non-finite loss.
    """
    import torch

    optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=True)  # one kernel per step
    losses = []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()
        loss = loss_of_model(model)
        value = loss.detach().item()
        if not np.isfinite(value):
            raise FitDivergedError(
                f"{label}: training diverged at epoch {epoch} (loss {value}); "
                f"lower the learning rate (lr={lr})"
            )
        loss.backward()
        optimizer.step()
        losses.append(value)
        if epoch % log_every == 0 or epoch == epochs:
            log.info(
                "%s epoch %d/%d loss %.4g elapsed %.2f s",
                label,
                epoch,
                epochs,
                value,
                time.perf_counter() - start,
            )
    return losses


def fit_mlp(
    X: np.ndarray, y: np.ndarray, settings: MLPSettings, seed: int, label: str = ""
) -> torch.nn.Sequential:
    """Train the lecture's MLP on scaled ``X`` (n, k) and scaled ``y`` (n,), float32, MSE."""
    import torch

    seed_torch(seed)
    model = build_mlp(X.shape[1], settings)
    X_t = torch.tensor(X, dtype=torch.float32)
    y_t = torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
    loss_fn = torch.nn.MSELoss()
    model.train()
    train_full_batch(
        model,
        lambda m: loss_fn(m(X_t), y_t),
        settings.epochs,
        settings.lr,
        settings.log_every,
        label,
    )
    model.eval()
    return model


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
