"""Training of networks (the lecture's MLP: architecture, seeding, ensembles, divergence) and the
polynomial family's least squares and rank checks."""

from __future__ import annotations

import logging
import subprocess
import sys

import numpy as np
import pytest
import torch
from helpers import make_family

from contrastive_gs import training
from contrastive_gs.families._pair_features import Standardizer
from contrastive_gs.families.poly import poly_design_rank, poly_pipeline, warn_if_rank_deficient
from contrastive_gs.settings import NetworkSettings, ScheduleSettings


def _network(width=32, depth=2, activation="relu") -> NetworkSettings:
    return NetworkSettings(width, depth, activation)


def _schedule(epochs=500, lr=0.01) -> ScheduleSettings:
    return ScheduleSettings(epochs, lr, 0.0, 1.0, 100)


def fit_mlp(X, y, seed, width=32, depth=2, activation="relu", epochs=500, lr=0.01, label=""):
    """One network of :func:`training.fit_mlps`."""
    network, schedule = _network(width, depth, activation), _schedule(epochs, lr)
    return training.fit_mlps(X, y, network, schedule, [seed], label)[0]


def fit_poly(X, y, degree=2, label=""):
    """The polynomial family's fit of ``X``, ``y``, with its rank check."""
    warn_if_rank_deficient(X, degree, label)
    return poly_pipeline(degree).fit(X, y)


@pytest.mark.parametrize(
    ("width", "depth", "activation", "torch_activation"),
    [(32, 2, "relu", torch.nn.ReLU), (16, 3, "tanh", torch.nn.Tanh), (8, 1, "silu", torch.nn.SiLU)],
)
def test_build_mlp_architecture(width, depth, activation, torch_activation):
    """n_inputs -> width (x depth, activation) -> 1: depth + 1 linear layers, depth activations."""
    model = training.build_mlp(3, _network(width, depth, activation))
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    activations = [m for m in model if isinstance(m, torch_activation)]
    assert len(model) == 2 * depth + 1
    assert len(linears) == depth + 1
    assert len(activations) == depth
    shapes = [(layer.in_features, layer.out_features) for layer in linears]
    assert shapes == [(3, width)] + [(width, width)] * (depth - 1) + [(width, 1)]
    assert isinstance(model[-1], torch.nn.Linear)


def test_lecture_mlp_parameter_count():
    """The lecture's 3-32-32-1 network has (3+1)*32 + (32+1)*32 + (32+1) = 1217 parameters."""
    model = training.build_mlp(3, _network())
    assert sum(p.numel() for p in model.parameters()) == 1217


def test_mlp_settings_defaults_are_lecture():
    """nn defaults: 32 wide, 2 hidden ReLU layers, 500 epochs, Adam lr 0.01; poly degree 2."""
    settings = make_family("nn").settings
    assert settings.network == _network(32, 2, "relu")
    assert (settings.schedule.epochs, settings.schedule.lr) == (500, 0.01)
    assert settings.schedule.stages() == [(500, 0.01)]
    assert make_family("poly").settings.degree == 2


def test_fit_mlp_same_seed_identical_and_other_seed_differs():
    """fit_mlp seeds torch: the same seed gives bit-identical predictions, another seed does not."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X[:, 0] - 0.5 * X[:, 1] ** 2
    first = training.predict_mlp(fit_mlp(X, y, 1, width=8, epochs=50), X)
    second = training.predict_mlp(fit_mlp(X, y, 1, width=8, epochs=50), X)
    other = training.predict_mlp(fit_mlp(X, y, 2, width=8, epochs=50), X)
    assert first.dtype == np.float64 and first.shape == (64,)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


def test_fit_mlp_learns_linear_target():
    """500 epochs fit a linear target of 3 features to R2 > 0.99 (seed 0)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    model = fit_mlp(X, y / y.std(), 0, width=16)
    prediction = training.predict_mlp(model, X)
    r2 = 1 - np.sum((y / y.std() - prediction) ** 2) / np.sum((y / y.std()) ** 2)
    assert r2 > 0.99
    assert not model.training  # returned in eval mode


def test_fit_mlp_diverges_with_huge_learning_rate():
    """lr = 1e8 overflows the float32 loss to inf within a few epochs: FitDivergedError."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = X.sum(axis=1)
    with pytest.raises(training.FitDivergedError, match=r"diverged at epoch \d+.*lr=1"):
        fit_mlp(X, y, 0, epochs=50, lr=1e8, label="huge lr")


def test_train_full_batch_raises_on_nan_loss():
    """A NaN loss at the first epoch raises before any optimiser step."""
    model = torch.nn.Linear(1, 1)
    before = [p.detach().clone() for p in model.parameters()]

    def nan_loss(m):
        return m(torch.ones(1, 1)).sum() * float("nan")

    with pytest.raises(training.FitDivergedError, match="epoch 1"):
        training.train_full_batch(model, nan_loss, epochs=5, lr=0.1, log_every=1, label="nan")
    for p, b in zip(model.parameters(), before, strict=True):
        assert torch.equal(p, b)


def test_train_full_batch_returns_losses_and_logs(caplog):
    """One loss per epoch, decreasing on a convex problem; progress logged every log_every."""
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    x = torch.linspace(-1, 1, 20).reshape(-1, 1)

    def loss(m):
        return ((m(x) - 3 * x) ** 2).mean()

    with caplog.at_level(logging.INFO, logger="contrastive_gs.training"):
        losses = training.train_full_batch(
            model, loss, epochs=40, lr=0.2, log_every=10, label="lin"
        )
    assert len(losses) == 40
    assert losses[-1] < 0.1 * losses[0]
    progress = [r.getMessage() for r in caplog.records if "epoch" in r.getMessage()]
    assert len(progress) == 4
    assert progress[-1].startswith("lin epoch 40/40")


def test_poly_pipeline_recovers_quadratic():
    """Degree 2 least squares recovers y = 1 + 2 x0 - x1 + 0.5 x0 x1 + 3 x1^2 exactly."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = 1 + 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 0] * X[:, 1] + 3 * X[:, 1] ** 2
    pipeline = fit_poly(X, y)
    np.testing.assert_allclose(pipeline.predict(X), y, atol=1e-10)
    regression = pipeline.named_steps["regression"]
    # PolynomialFeatures order: x0, x1, x0^2, x0 x1, x1^2
    np.testing.assert_allclose(regression.coef_, [2, -1, 0, 0.5, 3], atol=1e-10)
    assert regression.intercept_ == pytest.approx(1.0)


def test_poly_design_rank_hand_examples():
    """Rank of the design with intercept; a constant column is left out."""
    binary = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]] * 3)
    # terms 1, a, b, a^2, ab, b^2; a^2 = a and b^2 = b for 0/1 values: rank 4 of 6
    assert poly_design_rank(binary, 2) == (4, 6)
    with_constant = np.column_stack([binary, np.zeros(len(binary))])
    assert poly_design_rank(with_constant, 2) == (4, 6)
    assert poly_design_rank(binary, 1) == (3, 3)


def test_rank_deficiency_warning_logged(caplog):
    """A feature with two distinct values makes the degree-2 design singular: a warning says so."""
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=40), np.repeat([0.0, 1.0], 20)])
    y = X[:, 0] + X[:, 1]
    with caplog.at_level(logging.WARNING, logger="contrastive_gs.families.poly"):
        fit_poly(X, y, label="binary")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "rank-deficient (rank 5 of 6 terms)" in warnings[0].getMessage()
    assert warnings[0].getMessage().startswith("binary:")


@pytest.mark.parametrize("group", ["pooled", "PP", "HDPE"])
def test_no_rank_warning_on_lecture_pairs(caplog, lecture_pairs, group):
    """The lecture's pairs (Tg_diff constant, left out) give a full-rank degree-2 design."""
    from contrastive_gs.pairs import FEATURES, select_group

    X = select_group(lecture_pairs, group)[FEATURES].to_numpy()
    assert poly_design_rank(X, 2) == (6, 6)
    with caplog.at_level(logging.WARNING):
        fit_poly(X, np.ones(len(X)))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_standardizer_equals_sklearn_standard_scaler():
    """Standardizer: sklearn's StandardScaler (population sd; a constant column gets scale 1)."""
    from sklearn.preprocessing import StandardScaler

    values = np.array([[1.0, 10.0, 0.0], [2.0, 20.0, 0.0], [3.0, 60.0, 0.0]])
    scaler = Standardizer.fit(values)
    reference = StandardScaler().fit(values)
    np.testing.assert_allclose(scaler.transform(values), reference.transform(values), atol=1e-15)
    np.testing.assert_allclose(scaler.scale, [np.sqrt(2 / 3), np.sqrt(1400 / 3), 1.0], rtol=1e-15)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(values)), values)


@pytest.mark.parametrize("width", [8, training.ENSEMBLE_MAX_WIDTH + 8])
def test_fit_mlps_seed_result_independent_of_other_seeds(width):
    """Seeds trained together (narrow) or one by one (wide): each network is bit-identical to
    the one its seed gives alone, in the order of the seeds asked for."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 3))
    y = np.tanh(X[:, 0]) - X[:, 1] * X[:, 2]
    network_settings, schedule = _network(width), _schedule(epochs=30)
    together = training.fit_mlps(X, y, network_settings, schedule, [4, 1, 7])
    for seed, network in zip([4, 1, 7], together, strict=True):
        alone = fit_mlp(X, y, seed, width=width, epochs=30)
        np.testing.assert_array_equal(
            training.predict_mlp(network, X), training.predict_mlp(alone, X)
        )
        assert not network.training
    assert not np.array_equal(
        training.predict_mlp(together[0], X), training.predict_mlp(together[1], X)
    )


def test_seed_groups_narrow_together_wide_alone():
    """Narrow networks: one group of all seeds (a lone seed beside its copy); wide: one each."""
    narrow, wide = training.ENSEMBLE_MAX_WIDTH, training.ENSEMBLE_MAX_WIDTH + 1
    assert training.seed_groups([0, 1, 2], narrow) == [[0, 1, 2]]
    assert training.seed_groups([5], narrow) == [[5, 5]]
    assert training.seed_groups([0, 1], wide) == [[0], [1]]


def test_fit_mlps_same_init_as_build_mlp():
    """Zero epochs: the network is build_mlp's default initialisation under manual_seed(seed)."""
    X, y = np.zeros((4, 3)), np.zeros(4)
    (network,) = training.fit_mlps(X, y, _network(8), _schedule(epochs=0), [2])
    torch.manual_seed(2)
    reference = training.build_mlp(3, _network(8))
    for got, expected in zip(network.parameters(), reference.parameters(), strict=True):
        assert torch.equal(got, expected)


@pytest.mark.parametrize("activation", ["relu", "tanh", "silu"])
def test_fit_mlps_matches_plain_training_of_the_network(activation):
    """The stacked ensemble is the plain network trained by Adam on its MSE: after 20 epochs the
    predictions agree to float32 round-off, for every activation."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(50, 3))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    network_settings, schedule = _network(6, 2, activation), _schedule(epochs=20)
    networks = training.fit_mlps(X, y, network_settings, schedule, [0, 1])
    X_t = torch.tensor(X, dtype=torch.float32)
    y_t = torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
    for seed, network in zip([0, 1], networks, strict=True):
        torch.manual_seed(seed)
        plain = training.build_mlp(3, network_settings)
        optimizer = torch.optim.Adam(plain.parameters(), lr=schedule.lr)
        for _ in range(schedule.epochs):
            optimizer.zero_grad()
            ((plain(X_t) - y_t) ** 2).mean().backward()
            optimizer.step()
        np.testing.assert_allclose(
            training.predict_mlp(network, X), training.predict_mlp(plain.eval(), X), atol=1e-5
        )


def test_seeding_makes_kernels_deterministic_without_importing_the_compiler():
    """seed_torch sets torch's deterministic flag (as use_deterministic_algorithms does) and
    leaves torch._inductor unimported: it costs a job ~2 s, and these networks never compile."""
    code = (
        "import sys, torch; from contrastive_gs.training import seed_torch; seed_torch(0);"
        "print(torch.are_deterministic_algorithms_enabled(), 'torch._inductor' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "False"]


def test_fused_adam_is_torch_adam_fused_bit_for_bit():
    """FusedAdam's parameters after 30 steps equal torch.optim.Adam(fused=True)'s exactly."""
    X = torch.tensor(np.random.default_rng(3).normal(size=(40, 3)), dtype=torch.float32)
    y = X[:, :1] * X[:, 1:2] - X[:, 2:]
    trained = []
    for make_optimizer in (
        lambda params: training.FusedAdam(params, lr=0.01),
        lambda params: torch.optim.Adam(params, lr=0.01, fused=True),
    ):
        torch.manual_seed(4)
        network = training.build_mlp(3, _network(16))
        optimizer = make_optimizer(list(network.parameters()))
        for _ in range(30):
            optimizer.zero_grad()
            ((network(X) - y) ** 2).mean().backward()
            optimizer.step()
        trained.append(list(network.parameters()))
    for ours, theirs in zip(*trained, strict=True):
        assert torch.equal(ours, theirs)


def test_training_a_network_leaves_torch_dynamo_unimported():
    """fit_mlps trains without importing torch._dynamo (torch.optim's optimizers do, ~1 s a
    job)."""
    code = (
        "import sys, numpy as np; from contrastive_gs import training;"
        "from contrastive_gs.settings import NetworkSettings, ScheduleSettings;"
        "training.fit_mlps(np.ones((8, 3)), np.ones(8), NetworkSettings(4, 2, 'relu'),"
        " ScheduleSettings(3, 0.01, 0.0, 1.0, 10), [0]);"
        "print('torch._dynamo' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False"]
