"""What the twin (Siamese) families share: one network on *points*, trained on *pairs* only.

The lecture's MLP sees only pair features (``logM_ratio, invT_diff, Tg_diff``), which cannot
determine ``logD_ratio``: it depends on absolute M and T.  A twin model instead learns one
function ``g(x)`` of a point's features ``x = (ln M, 1/T, Tg)`` and predicts a pair by

    logD_ratio(i, j) = g(x_i) - g(x_j)

It is trained on pairs only (MSE against ``logD_ratio`` of the train pairs), yet ``g`` recovers
``ln D`` up to a constant (one constant per block of points linked by pairs: per polymer for
pairs formed within polymers), and the scaling exponent follows as ``alpha = -dg/d ln M``.

Two variants (the ``twin`` and ``twin_structured`` families):

* ``twin`` (``structured=False``): ``g = s_y * MLP(z)``, ``z`` the point features standardised
  with the mean and standard deviation over the *train points* (the points of the train pairs;
  a feature constant there, e.g. ``Tg`` of a single polymer, is only centred), and ``s_y`` the
  standard deviation of the train ``logD_ratio``.  ``alpha`` is computed by autograd.
* ``twin_structured`` (``structured=True``): ``g = -a(T, Tg) ln(M / M_ref) + b(T, Tg)`` with two
  small MLPs of the standardised ``(1/T, Tg)``: ``a = a_0 + MLP_a`` and ``b = s_y MLP_b``, where
  ``a_0`` is the least-squares slope of the train ``logD_ratio`` on ``logM_ratio`` (a start
  near the right magnitude) and ``M_ref`` the geometric mean of M over the train points.  Any
  reference mass gives the same model class (``b`` absorbs ``a ln(M_ref/M0)``) and the same
  ``alpha = a``; centring ``ln M`` only decorrelates ``a`` and ``b`` during training.

  With ``b_inputs="Tg"``, ``b`` depends on Tg only and ``M_ref`` is the law's known reference
  mass: the lecture's law ``D = D0 (M/M0)^-alpha`` with one D0 at every T.  This is the
  information the kernel baseline uses: pairs at equal M and different T then inform alpha too,
  which with a free ``b(T, Tg)`` they cannot (it absorbs them).  Measured with 0.05 noise on
  ln D (lecture grid, PP alone): ``b(T, Tg)`` doubles the kernel's error of Ka, Kb, ``b(Tg)`` is
  within 10 % of it.  Keep the default ``b(T, Tg)`` where D0 may depend on T.

Training is full-batch Adam (:func:`contrastive_gs.training.train_in_stages`) in float64 by
default, with a step schedule (by default the last quarter of the epochs at a tenth of the
learning rate), seeded and deterministic.  ``g`` is evaluated once per epoch on the points and
gathered into pairs, so the network's cost per epoch is O(points), not O(pairs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from contrastive_gs import allpairs, resampling, training
from contrastive_gs.families._base import Family, FittedModel
from contrastive_gs.laws import Law
from contrastive_gs.pairs import TARGET
from contrastive_gs.settings import NetworkSettings, ScheduleSettings

POINT_FEATURES = ["lnM", "invT", "Tg"]  # x = (ln M [ln(g/mol)], 1/T [1/K], Tg [K])


@dataclass(frozen=True)
class TwinSettings:
    """The ``twin`` / ``twin_structured`` sections of the config: each network (g for the twin;
    a and b for the structured twin) is a ``n_inputs - width x depth - 1`` MLP."""

    network: NetworkSettings
    schedule: ScheduleSettings
    dtype: Literal["float64", "float32"]  # float64: alpha to ~1e-4 needs it
    b_inputs: Literal["T_Tg", "Tg"]  # structured twin: b(T, Tg), or b(Tg) with the known M0
    bagging: bool  # each seed trains on its own bootstrap draw of the train points


def point_features(points: pd.DataFrame, law: Law) -> np.ndarray:
    """``x = (u, 1/T, Tg)`` of each point, shape (n, 3), float64: ``u`` the law's covariate of
    alpha (ln M for the lecture's law, g/mol), T and Tg in K."""
    T, Tg = (points[c].to_numpy(np.float64) for c in ("T", "Tg"))
    return np.column_stack([law.alpha_covariate(points), 1.0 / T, Tg])


def train_points(pairs_train: pd.DataFrame) -> np.ndarray:
    """Sorted indices of the points that appear in ``pairs_train`` (columns i, j)."""
    return np.union1d(pairs_train["i"].to_numpy(), pairs_train["j"].to_numpy()).astype(np.int64)


def autograd_alpha(g, X: np.ndarray, dtype: str = "float64") -> np.ndarray:
    """``alpha = -dg/d ln M`` of a torch function ``g`` of raw point features, by autograd.

    ``g`` maps a tensor ``X`` of shape (n, 3), columns ``(ln M, 1/T, Tg)``, to shape (n,) (or
    (n, 1)); each output depends on its own row only.  Returns shape (n,), float64.
    """
    import torch

    X_t = torch.tensor(np.asarray(X, dtype=np.float64), dtype=getattr(torch, dtype))
    X_t.requires_grad_(True)
    (gradient,) = torch.autograd.grad(g(X_t).sum(), X_t)
    return -gradient[:, 0].detach().numpy().astype(np.float64)


@dataclass
class TwinModel(FittedModel):
    """A trained twin: ``g`` on raw point features; see the module docstring."""

    structured: bool
    settings: TwinSettings
    law: Law
    networks: Any  # torch.nn.ModuleDict: {"g"} or {"a", "b"}
    feature_mean: np.ndarray  # (3,) over the train points, of (ln M, 1/T, Tg)
    feature_std: np.ndarray  # (3,) idem; 1 where the feature is constant
    y_scale: float  # std of the train logD_ratio
    alpha_offset: float  # a_0 of the structured twin (0 for the twin)
    log_reference_mass: float  # u_ref of the structured twin: mean train u, or the law's (ln M0)
    losses: list[float] = field(default_factory=list)  # scaled train MSE per epoch
    anchor_counts: np.ndarray | None = None  # bagging: the draw of the points it trained on

    def _tensor(self, values: np.ndarray):
        """``values`` as a tensor of the model's dtype, on the device of its networks."""
        import torch

        device = next(self.networks.parameters()).device
        return torch.tensor(
            np.asarray(values, dtype=np.float64), dtype=getattr(torch, self.settings.dtype),
            device=device,
        )  # fmt: skip

    def _standardise(self, X):
        return (X - self._tensor(self.feature_mean)) / self._tensor(self.feature_std)

    def _a(self, Z):
        return self.alpha_offset + self.networks["a"](Z[:, 1:]).squeeze(-1)

    def _b(self, Z):
        b_inputs = Z[:, 1:] if self.settings.b_inputs == "T_Tg" else Z[:, 2:]
        return self.y_scale * self.networks["b"](b_inputs).squeeze(-1)

    def _g_of_standardised(self, Z, centred_lnM, conditions=None):
        """g of standardised features Z (n, 3).  The structured twin's a and b depend on the
        condition (T, Tg) only: given ``conditions`` (the distinct standardised rows of Z[:, 1:]
        and each row's index among them), they are evaluated once per condition, not once per
        point (a grid of 300 x 300 points has 300 conditions per polymer)."""
        if not self.structured:
            return self.y_scale * self.networks["g"](Z).squeeze(-1)
        if conditions is None:
            return -self._a(Z) * centred_lnM + self._b(Z)
        distinct, index = conditions
        return -self._a(distinct)[index] * centred_lnM + self._b(distinct)[index]

    def g(self, X):
        """g of a tensor of raw point features (n, 3) -> (n,), in units of ln D."""
        return self._g_of_standardised(self._standardise(X), X[:, 0] - self.log_reference_mass)

    def log_diffusivity(self, points: pd.DataFrame) -> np.ndarray:
        """``g`` plus the law's known offset at each point: ln D up to a constant (per block of
        linked points), shape (n,)."""
        import torch

        with torch.no_grad():
            g = self.g(self._tensor(point_features(points, self.law))).numpy()
        return g.astype(np.float64) + self.law.known_offset(points)

    def predict_pairs(self, points: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
        """Predicted ``logD_ratio = g(x_i) - g(x_j)`` of ``pairs`` (i, j index ``points``)."""
        g = self.log_diffusivity(points)
        return g[pairs["i"].to_numpy()] - g[pairs["j"].to_numpy()]

    def alpha(self, points: pd.DataFrame) -> np.ndarray:
        """Recovered alpha at each point, shape (n,): ``a(T, Tg)`` for the structured twin,
        ``-dg/d ln M`` by autograd for the twin."""
        import torch

        if not self.structured:
            return autograd_alpha(self.g, point_features(points, self.law), self.settings.dtype)
        with torch.no_grad():
            Z = self._standardise(self._tensor(point_features(points, self.law)))
            return self._a(Z).numpy().astype(np.float64)


def _standardisation(X_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    constant = std <= 1e-12 * np.maximum(np.abs(mean), 1.0)
    return mean, np.where(constant, 1.0, std)


class _MaterialisedPairs:
    """The train objective of a twin over a table of train pairs (columns i, j, logD_ratio)."""

    def __init__(self, points: pd.DataFrame, pairs_train: pd.DataFrame, law: Law):
        self.pairs = pairs_train
        self.used = train_points(pairs_train)
        self.n_pairs = len(pairs_train)
        self.i, self.j = pairs_train["i"].to_numpy(), pairs_train["j"].to_numpy()
        offset = law.known_offset(points)
        self.y = pairs_train[TARGET].to_numpy(np.float64) - (offset[self.i] - offset[self.j])
        self.du = law.covariate_differences(points, pairs_train)

    def target_std(self) -> float:
        """The standard deviation of the train targets (logD_ratio less the known offset)."""
        return float(np.std(self.y))

    def slope(self) -> float:
        """Least-squares alpha of the targets on the covariate differences (0 without any)."""
        return float(-(self.y @ self.du) / (self.du @ self.du)) if np.any(self.du) else 0.0

    def loss(self, dtype, device, y_scale: float, counts: np.ndarray | None):
        """The (weighted) mean squared error of g's pair differences, g in units of y_scale,
        with tensors of ``dtype`` on ``device``."""
        import torch

        i = torch.tensor(self.i, dtype=torch.long, device=device)
        j = torch.tensor(self.j, dtype=torch.long, device=device)
        y_t = torch.tensor(self.y / y_scale, dtype=dtype, device=device)
        weights = None
        if counts is not None:
            w = resampling.pair_weights(self.pairs, counts)
            weights = torch.tensor(w / w.sum(), dtype=dtype, device=device)

        def loss_of_g(g):
            squares = (g[i] - g[j] - y_t) ** 2
            return torch.mean(squares) if weights is None else torch.sum(weights * squares)

        return loss_of_g


class _AllPairs:
    """The same objective over every pair within blocks of points, in O(points)
    (:mod:`contrastive_gs.allpairs`): the loss of the pairs without building them."""

    def __init__(self, points: pd.DataFrame, blocks: allpairs.BlockPairs, law: Law):
        self.blocks = blocks
        self.used = blocks.points
        self.n_pairs = blocks.n_pairs
        offset = law.known_offset(points)
        self.y = (points["logD"].to_numpy(np.float64) - offset)[self.used]
        self.u = law.alpha_covariate(points)[self.used]

    def target_std(self) -> float:
        mean = allpairs.pair_difference_sum(self.y, self.blocks) / self.n_pairs
        mean_square = allpairs.pair_square_sum(self.y, self.blocks) / self.n_pairs
        return float(np.sqrt(max(mean_square - mean**2, 0.0)))

    def slope(self) -> float:
        spread = allpairs.pair_cross_sum(self.u, self.u, self.blocks)
        return -allpairs.pair_cross_sum(self.y, self.u, self.blocks) / spread if spread else 0.0

    def loss(self, dtype, device, y_scale: float, counts: np.ndarray | None):
        import torch

        used = torch.tensor(self.used, dtype=torch.long, device=device)
        block_index = torch.tensor(self.blocks.block_index, dtype=torch.long, device=device)
        n_blocks = len(self.blocks.sizes)
        y_t = torch.tensor(self.y / y_scale, dtype=dtype, device=device)
        w = np.ones(len(self.used)) if counts is None else counts[self.used]
        total = allpairs.pair_weight_sum(self.blocks, w)
        w_t = torch.tensor(w, dtype=dtype, device=device)

        def loss_of_g(g):
            error = g[used] - y_t
            return allpairs.torch_pair_square_sum(error, block_index, n_blocks, w_t) / total

        return loss_of_g


def fit_twin(
    points: pd.DataFrame,
    train: pd.DataFrame | allpairs.BlockPairs,
    settings: TwinSettings,
    seed: int,
    structured: bool,
    label: str,
    law: Law,
) -> TwinModel:
    """Train a twin on the train pairs ``train``: a table (columns i, j, logD_ratio; i, j are
    row positions in ``points``, which has columns M, T, Tg, logD and what ``law`` reads), or
    every pair within blocks of points (:class:`~contrastive_gs.allpairs.BlockPairs`), whose
    loss is computed in O(points).

    The structured twin with ``b_inputs="Tg"`` needs a law with a known reference of its
    covariate (the lecture's M0).  The law's known offset of ln D is taken out of the target.
    Trains on :func:`contrastive_gs.training.training_device`; the fitted networks are on
    the CPU.  Raises ValueError without a train pair or known reference,
    training.FitDivergedError on a non-finite loss.
    """
    import torch

    objective = (
        _AllPairs(points, train, law)
        if isinstance(train, allpairs.BlockPairs)
        else _MaterialisedPairs(points, train, law)
    )
    if objective.n_pairs < 1:
        raise ValueError(f"{label}: a twin needs a train pair, has none")
    b_of_Tg = structured and settings.b_inputs == "Tg"
    reference = law.covariate_reference()
    if b_of_Tg and reference is None:
        raise ValueError(
            f"{label}: the structured twin with b_inputs='Tg' needs a law with a known "
            f"reference of its covariate (the lecture's M0); law {law.name!r} has none"
        )
    training.seed_torch(seed)
    dtype, device = getattr(torch, settings.dtype), training.training_device()
    X = point_features(points, law)
    mean, std = _standardisation(X[objective.used])
    log_reference_mass = float(reference) if b_of_Tg else float(mean[0])
    y_scale = objective.target_std() or 1.0
    alpha_offset = 0.0
    if structured:
        alpha_offset = objective.slope()
        networks = {
            "a": training.build_mlp(2, settings.network),
            "b": training.build_mlp(1 if b_of_Tg else 2, settings.network),
        }
    else:
        networks = {"g": training.build_mlp(3, settings.network)}
    model = TwinModel(
        structured, settings, law, torch.nn.ModuleDict(networks).to(device=device, dtype=dtype),
        mean, std, y_scale, alpha_offset, log_reference_mass,
    )  # fmt: skip
    X_t = torch.tensor(X, dtype=dtype, device=device)
    Z_t, centred_lnM = model._standardise(X_t), X_t[:, 0] - log_reference_mass  # inputs are fixed
    conditions = None
    if structured:  # a and b once per distinct (1/T, Tg); ln M's column is not read by them
        distinct, index = np.unique(X[:, 1:], axis=0, return_inverse=True)
        features = np.column_stack([np.zeros(len(distinct)), distinct])
        conditions = (
            model._standardise(model._tensor(features)),
            torch.tensor(index.ravel(), dtype=torch.long, device=device),
        )
    if settings.bagging:  # a bootstrap draw of the train points, seeded by the seed
        model.anchor_counts = resampling.resampled_counts(points, objective.used, seed)
    loss_of_g = objective.loss(dtype, device, y_scale, model.anchor_counts)

    def loss_of_model(_networks):
        return loss_of_g(model._g_of_standardised(Z_t, centred_lnM, conditions) / y_scale)

    model.networks.train()
    model.losses += training.train_in_stages(
        model.networks, loss_of_model, settings.schedule, label
    )
    model.networks.eval().to("cpu")
    return model


class TwinFamily(Family):
    """A twin family: ``structured`` says which variant."""

    structured: ClassVar[bool]
    settings_type: ClassVar[type] = TwinSettings
    hyper_keys: ClassVar[tuple[str, ...]] = ("width", "depth")
    uses_torch: ClassVar[bool] = True

    def cost(self) -> float:
        return self.settings.network.cost(self.settings.schedule.epochs)

    @property
    def resamples(self) -> bool:
        """Whether each seed is a bootstrap draw of the data (bagging)."""
        return self.settings.bagging

    trains_on_all_pairs: ClassVar[bool] = True

    def fit(self, points, train_pairs, seeds, label):
        return [
            fit_twin(
                points,
                train_pairs,
                self.settings,
                seed,
                self.structured,
                f"{label} seed={seed}",
                self.law,
            )  # fmt: skip
            for seed in seeds
        ]
