"""Every pair within blocks, in O(points): the sums against brute force over the pairs, and
training, metrics and predictions on all pairs against the same on the materialised pair table
(the lecture's grid with noise, split by points)."""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pandas as pd
import pytest
import torch
from helpers import make_family

from contrastive_gs import allpairs, config, data, fit, pairs, prediction
from contrastive_gs.splits import split_from_config


def _brute_force(labels: np.ndarray) -> list[tuple[int, int]]:
    return [(i, j) for i, j in itertools.combinations(range(len(labels)), 2)
            if labels[i] == labels[j]]  # fmt: skip


@pytest.fixture(scope="module")
def random_blocks():
    rng = np.random.default_rng(3)
    labels = rng.choice(["a", "b", "c", "d"], 41)
    labels[7] = "lonely"  # a block of one point: no pair
    blocks = allpairs.BlockPairs.from_labels(np.arange(41), labels)
    return blocks, _brute_force(labels), rng.normal(size=41), rng.integers(0, 4, 41) * 1.0


def test_sums_over_all_pairs_equal_brute_force(random_blocks):
    blocks, brute, v, w = random_blocks
    u = np.cos(np.arange(41.0))
    at = blocks.points
    assert blocks.n_pairs == len(brute) and 7 not in set(at)
    close = pytest.approx
    assert allpairs.pair_square_sum(v[at], blocks) == close(
        sum((v[i] - v[j]) ** 2 for i, j in brute)
    )
    assert allpairs.pair_square_sum(v[at], blocks, w[at]) == close(
        sum(w[i] * w[j] * (v[i] - v[j]) ** 2 for i, j in brute)
    )
    assert allpairs.pair_weight_sum(blocks, w[at]) == close(sum(w[i] * w[j] for i, j in brute))
    assert allpairs.pair_difference_sum(v[at], blocks) == close(sum(v[i] - v[j] for i, j in brute))
    assert allpairs.pair_cross_sum(u[at], v[at], blocks) == close(
        sum((u[i] - u[j]) * (v[i] - v[j]) for i, j in brute)
    )
    differences = [v[i] - v[j] for i, j in brute]
    assert allpairs.pair_extremes(v[at], blocks) == (min(differences), max(differences))
    residuals, jacobian = allpairs.centred_residuals(
        v[at], np.column_stack([v[at], u[at]]), blocks, w[at]
    )
    assert np.sum(residuals**2) == close(allpairs.pair_square_sum(v[at], blocks, w[at]))
    pair_jacobian = np.array([[v[i] - v[j], u[i] - u[j]] for i, j in brute])
    pair_weights = np.array([w[i] * w[j] for i, j in brute])
    np.testing.assert_allclose(
        jacobian.T @ jacobian, (pair_jacobian * pair_weights[:, None]).T @ pair_jacobian
    )
    torch_sum = allpairs.torch_pair_square_sum(
        torch.tensor(v[at]),
        torch.tensor(blocks.block_index),
        len(blocks.sizes),
        torch.tensor(w[at]),
    )
    assert float(torch_sum) == close(allpairs.pair_square_sum(v[at], blocks, w[at]))


def test_pair_rows_sample_and_refine(random_blocks):
    blocks, brute, *_ = random_blocks
    i, j = blocks.sample(10**9, seed=0)  # more than there are: every pair
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == brute and np.all(i < j)
    i, j = blocks.sample(25, seed=4)
    assert len(i) == 25 and set(zip(i.tolist(), j.tolist(), strict=True)) <= set(brute)
    assert np.array_equal(blocks.sample(25, seed=4)[0], i)  # seeded
    parity = np.arange(41) % 2
    refined = blocks.refine(parity)  # pairs of one block and one parity
    assert refined.n_pairs == sum(1 for i, j in brute if parity[i] == parity[j]) < blocks.n_pairs


def test_statistics_of_all_pairs_equal_those_of_the_table(random_blocks):
    blocks, brute, v, _ = random_blocks
    observed = np.sin(np.arange(41.0)) * 3
    from contrastive_gs import diagnostics

    i, j = np.array(brute).T
    expected = diagnostics.residual_stats(observed[i] - observed[j], v[i] - v[j])
    stats = allpairs.pair_residual_stats(v[blocks.points], observed[blocks.points], blocks)
    assert stats == pytest.approx(expected, rel=1e-12)


# --- training and measuring on all pairs ---------------------------------------------------------


@pytest.fixture(scope="module")
def noisy_points_split(_lecture_config_pristine, schema):
    """The lecture's grid with 0.05 noise on ln D, split by points: points, pair table, sides."""
    lecture = copy.deepcopy(_lecture_config_pristine)
    lecture["data"]["noise"] = 0.05
    lecture["pairs"]["split"] = "points"
    polymers = config.validate_config(lecture, schema)
    points = data.simulate(
        data.settings_from_params(lecture["data"], polymers, config.law_of(lecture))
    )
    settings = config.pair_settings(lecture["pairs"])
    split = split_from_config(lecture["pairs"])
    assert pairs.all_pairs_split(settings, split)
    table = pairs.make_pairs(points, settings, split)
    return points, table, pairs.fold_sides(points, settings.scope, split)[0]


def _both_ways(family, points, table, sides, group):
    """The fit of one seed on the materialised pairs and on all pairs in O(points)."""
    group_pairs = pairs.select_group(table, group)
    blocks = allpairs.group_block_pairs(points, sides, "within", group)
    assert blocks["train"].n_pairs + blocks["test"].n_pairs == len(group_pairs)
    [materialised] = fit.fit_group(family, points, group_pairs, [0], "table")
    [all_pairs] = fit.fit_group(family, points, group_pairs, [0], "all pairs", blocks)
    return materialised, all_pairs


@pytest.mark.parametrize("name", ["twin_structured", "twin"])
@pytest.mark.parametrize("group", ["pooled", "PP"])
def test_twins_on_all_pairs_follow_the_same_training(noisy_points_split, name, group):
    """The same loss at every epoch to rounding, and the same alpha to 1e-10."""
    points, table, sides = noisy_points_split
    family = make_family(name, epochs=300)
    materialised, all_pairs = _both_ways(family, points, table, sides, group)
    np.testing.assert_allclose(all_pairs.model.losses, materialised.model.losses, rtol=1e-10)
    np.testing.assert_allclose(
        all_pairs.model.alpha(points), materialised.model.alpha(points), rtol=0, atol=1e-10
    )
    for side in pairs.SIDES:
        assert all_pairs.metrics[side] == pytest.approx(materialised.metrics[side], rel=1e-9)


def test_bagged_twin_on_all_pairs_weighs_pairs_as_the_table(noisy_points_split):
    points, table, sides = noisy_points_split
    family = make_family("twin_structured", epochs=200, bagging=True)
    materialised, all_pairs = _both_ways(family, points, table, sides, "pooled")
    np.testing.assert_array_equal(all_pairs.model.anchor_counts, materialised.model.anchor_counts)
    np.testing.assert_allclose(all_pairs.model.losses, materialised.model.losses, rtol=1e-10)


@pytest.mark.parametrize("group", ["pooled", "HDPE"])
def test_kernel_on_all_pairs_finds_the_same_law(noisy_points_split, group):
    """Estimates, standard errors and bootstrap intervals to 1e-7 (the optimiser's tolerance:
    the two residual vectors round differently)."""
    points, table, sides = noisy_points_split
    family = make_family("kernel", bootstrap=40)
    materialised, all_pairs = _both_ways(family, points, table, sides, group)
    a, b = materialised.model, all_pairs.model
    assert b.n_pairs == a.n_pairs and b.fitted == a.fitted
    assert b.values == pytest.approx(a.values, rel=1e-7)
    assert b.stderr == pytest.approx(a.stderr, rel=1e-6)
    for name in a.interval:
        assert b.interval[name] == pytest.approx(a.interval[name], rel=1e-6)
    assert b.residual_std == pytest.approx(a.residual_std, rel=1e-7)
    for side in pairs.SIDES:
        assert all_pairs.metrics[side] == pytest.approx(materialised.metrics[side], rel=1e-5)


def test_a_sampled_table_keeps_all_pair_metrics_and_drops_the_ceilings(noisy_points_split):
    points, table, sides = noisy_points_split
    blocks = allpairs.group_block_pairs(points, sides, "within", "pooled")
    family = make_family("kernel", bootstrap=0)
    [whole] = fit.fit_group(family, points, table, [0], "whole", blocks)
    sample = table.sample(300, random_state=0).sort_index()
    [sampled] = fit.fit_group(family, points, sample, [0], "sample", blocks)
    assert len(sampled.predictions) == 300
    for side in pairs.SIDES:
        assert sampled.metrics[side]["n"] == whole.metrics[side]["n"] == blocks[side].n_pairs
        assert sampled.metrics[side]["r2"] == whole.metrics[side]["r2"]
        assert np.isnan(sampled.metrics[side]["r2_ceiling"])
        assert np.isfinite(whole.metrics[side]["r2_ceiling"])


def test_anchored_predictions_of_a_point_function_use_every_anchor(noisy_points_split):
    """The closed form (g_x + mean of ln D_j - g_j) equals the mean over anchor pairs."""
    points, table, sides = noisy_points_split
    [result] = fit.fit_group(make_family("kernel", bootstrap=0), points, table, [0], "kernel")
    targets = np.flatnonzero(sides == "test")
    anchors = np.flatnonzero(sides == "train")
    closed, n_anchors = prediction.anchored_log_diffusivity(result.model, points, targets, anchors)
    polymer = points["Polymer"].to_numpy()
    logD = points["logD"].to_numpy()
    by_pairs = [
        np.mean(logD[mine] + result.model.predict_pairs(
            points, pd.DataFrame({"i": np.full(len(mine), t), "j": mine})))
        for t in targets
        for mine in [anchors[polymer[anchors] == polymer[t]]]
    ]  # fmt: skip
    np.testing.assert_allclose(closed, by_pairs, rtol=1e-12)
    assert list(n_anchors) == [np.sum(polymer[anchors] == polymer[t]) for t in targets]


# --- models of pair features on every train pair, streamed from the points ----------------------


def test_batches_draw_every_pair_alike_and_are_seeded(random_blocks):
    blocks, brute, *_ = random_blocks
    draws = blocks.batches(1000, seed=3)
    first = next(draws)
    assert np.array_equal(first[0], next(blocks.batches(1000, seed=3))[0])
    assert not np.array_equal(first[0], next(draws)[0])  # a fresh batch every step
    drawn = [next(draws) for _ in range(60)]
    counts = pd.Series(
        [pair for i, j in drawn for pair in zip(i.tolist(), j.tolist(), strict=True)]
    ).value_counts()
    assert set(counts.index) == set(brute)  # only pairs of the blocks, and all of them
    expected = 60_000 / len(brute)
    assert counts.max() < 1.6 * expected and counts.min() > 0.5 * expected


def _sorted_by_pair(i: np.ndarray, j: np.ndarray, values: np.ndarray) -> np.ndarray:
    return values[np.lexsort((j, i))]


def test_scaled_pairs_equal_the_standardised_table(noisy_points_split):
    """Exact all-pair moments in O(points), and the features built from the points, against the
    train rows of the materialised table standardised as the families do."""
    from contrastive_gs.families._pair_features import ScaledPairs, Standardizer

    points, table, sides = noisy_points_split
    train = table[(table["split"] == "train").to_numpy()]
    blocks = allpairs.group_block_pairs(points, sides, "within", "pooled")["train"]
    scaled = ScaledPairs.of(points, blocks)
    X = train[pairs.FEATURES].to_numpy()
    y = train[[pairs.TARGET]].to_numpy()
    for fitted, expected in zip(scaled.scalers, (Standardizer.fit(X), Standardizer.fit(y)),
                                strict=True):  # fmt: skip
        np.testing.assert_allclose(fitted.mean, expected.mean, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(fitted.scale, expected.scale, rtol=1e-10)
    X_all, y_all = scaled.every_pair()
    i, j = blocks.pair_rows(np.arange(blocks.n_pairs))
    ti, tj = train["i"].to_numpy(), train["j"].to_numpy()
    np.testing.assert_allclose(
        _sorted_by_pair(i, j, X_all), _sorted_by_pair(ti, tj, scaled.scalers[0].transform(X)),
        atol=1e-12,
    )  # fmt: skip
    np.testing.assert_allclose(
        _sorted_by_pair(i, j, y_all), _sorted_by_pair(ti, tj, scaled.scalers[1].transform(y)[:, 0]),
        atol=1e-12,
    )  # fmt: skip


def test_nn_on_a_whole_table_trains_on_it_as_before(noisy_points_split):
    """Where the fold's table holds every pair, the all-pairs blocks change nothing (the
    lecture's numbers stay): bit-identical metrics and predictions."""
    points, table, sides = noisy_points_split
    family = make_family("nn", epochs=40)
    blocks = allpairs.group_block_pairs(points, sides, "within", "PP")
    group_pairs = pairs.select_group(table, "PP")
    [plain] = fit.fit_group(family, points, group_pairs, [0], "plain")
    [with_blocks] = fit.fit_group(family, points, group_pairs, [0], "blocks", blocks)
    pd.testing.assert_frame_equal(plain.predictions, with_blocks.predictions, check_exact=True)
    assert plain.metrics == with_blocks.metrics


def test_nn_trains_on_every_pair_where_the_table_is_a_sample(noisy_points_split):
    """On a sample of 300 pairs, nn trains on all train pairs: one full batch of them (the same
    network as on the whole table, to float32 rounding), or streamed mini-batches (seeded, a
    seed's network independent of the other seeds, and as good as full batch)."""
    points, table, sides = noisy_points_split
    blocks = allpairs.group_block_pairs(points, sides, "within", "pooled")
    sample = table.sample(300, random_state=0).sort_index()
    full = make_family("nn", epochs=200)
    [on_table] = fit.fit_group(full, points, table, [0], "whole table")
    [full_batch] = fit.fit_group(full, points, sample, [0], "full batch", blocks)
    X = table[pairs.FEATURES].to_numpy()
    np.testing.assert_allclose(
        full_batch.model.predict_features(X), on_table.model.predict_features(X), atol=2e-3
    )
    assert full_batch.metrics["test"]["n"] == (sample["split"] == "test").sum()

    streaming = make_family("nn", epochs=200, full_batch_pairs=100, batch_pairs=256)
    streamed = fit.fit_group(streaming, points, sample, [0, 1], "streamed", blocks)
    [alone] = fit.fit_group(streaming, points, sample, [1], "alone", blocks)
    pd.testing.assert_frame_equal(alone.predictions, streamed[1].predictions, check_exact=True)
    again = fit.fit_group(streaming, points, sample, [0, 1], "again", blocks)
    pd.testing.assert_frame_equal(again[0].predictions, streamed[0].predictions, check_exact=True)
    for result in streamed:
        assert result.metrics["test"]["r2"] > full_batch.metrics["test"]["r2"] - 0.02


def test_monomial_sums_over_all_pairs_equal_brute_force(random_blocks):
    blocks, brute, v, w = random_blocks
    values = np.column_stack([v, w, np.cos(np.arange(41.0)) + 50.0])  # one far from 0
    offset = np.array([0.2, -0.5, 1.0])
    exponents = np.array([[0, 0, 0], [1, 0, 0], [0, 2, 1], [2, 1, 1], [0, 0, 4], [1, 1, 2]])
    sums = allpairs.pair_monomial_sums(values[blocks.points], blocks, exponents, offset)
    i, j = np.array(brute).T
    differences = values[i] - values[j] - offset
    expected = [np.sum(np.prod(differences**e, axis=1)) for e in exponents]
    np.testing.assert_allclose(sums, expected, rtol=1e-11)


@pytest.mark.parametrize(("group", "degree"), [("pooled", 2), ("PP", 3)])
def test_poly_on_every_pair_from_the_points_equals_least_squares_on_the_table(
    noisy_points_split, group, degree
):
    """Least squares over all train pairs from sums over the points: the table's polynomial to
    rounding; on a sample of the table it is still the fit to every train pair."""
    points, table, sides = noisy_points_split
    family = make_family("poly", degree=degree)
    group_pairs = pairs.select_group(table, group)
    blocks = allpairs.group_block_pairs(points, sides, "within", group)
    [on_table] = fit.fit_group(family, points, group_pairs, [0], "table")
    sample = group_pairs.sample(200, random_state=1).sort_index()
    [from_points] = fit.fit_group(family, points, sample, [0], "from the points", blocks)
    X = group_pairs[pairs.FEATURES].to_numpy()
    np.testing.assert_allclose(
        from_points.model.predict_features(X), on_table.model.predict_features(X), atol=1e-9
    )
    assert from_points.metrics["train"]["n"] == (sample["split"] == "train").sum()


def _every_pair_terms(scaled_pairs, blocks, degree):
    """Materialised standardised features -> polynomial terms (m, n) and target (m,) of every
    pair of ``blocks``."""
    from sklearn.preprocessing import PolynomialFeatures

    X, y = scaled_pairs.rows(*blocks.pair_rows(np.arange(blocks.n_pairs)))
    return PolynomialFeatures(degree, include_bias=False).fit_transform(X), y


def _standardised(terms):
    """Terms standardised as by StandardScaler (a constant term gets scale 1), mean, scale."""
    mean, scale = terms.mean(0), terms.std(0)
    scale = np.where(scale > 0, scale, 1.0)
    return (terms - mean) / scale, mean, scale


def _sklearn_lasso(terms, y, penalty):
    """scikit-learn's Lasso of standardised ``terms``, coefficients of the unscaled terms and
    intercept."""
    from sklearn.linear_model import Lasso

    standardised, mean, scale = _standardised(terms)
    regression = Lasso(alpha=penalty, tol=1e-14, max_iter=10**6).fit(standardised, y)
    coef = regression.coef_ / scale
    return coef, regression.intercept_ - mean @ coef


@pytest.mark.parametrize(("group", "degree"), [("pooled", 2), ("PP", 3)])
def test_lasso_on_the_moments_of_every_pair_equals_sklearn_on_the_table(
    noisy_points_split, group, degree
):
    """Coordinate descent on the moments of the terms over every train pair gives scikit-learn's
    Lasso on the materialised standardised terms, at penalties that keep some, most and all
    terms."""
    from contrastive_gs.families import lasso, poly
    from contrastive_gs.families._pair_features import ScaledPairs

    points, _, sides = noisy_points_split
    blocks = allpairs.group_block_pairs(points, sides, "within", group)["train"]
    scaled = ScaledPairs.of(points, blocks)
    model = lasso.StandardisedLasso(poly.term_moments(scaled, blocks, poly.design_powers(degree)))
    penalties = lasso.penalty_grid(model.largest_penalty(), 5)[1:]
    terms, y = _every_pair_terms(scaled, blocks, degree)
    for penalty, (coef, intercept) in zip(penalties, model.path(penalties), strict=True):
        expected_coef, expected_intercept = _sklearn_lasso(terms, y, penalty)
        np.testing.assert_allclose(coef, expected_coef, atol=1e-8)
        assert intercept == pytest.approx(expected_intercept, abs=1e-8)
    assert (coef != 0).sum() > (model.path(penalties[:1])[0][0] != 0).sum()


def test_lasso_on_every_pair_chooses_its_penalty_by_folds_of_the_points(noisy_points_split):
    """Where the table is a sample, lasso trains on every train pair: the cross-validation
    errors of its penalties over folds of the train points are brute force's with scikit-learn's
    Lasso on each fold's materialised pairs, and its model is the Lasso of every train pair at
    the penalty of the lowest error."""
    from sklearn.preprocessing import PolynomialFeatures

    from contrastive_gs.families import lasso, poly
    from contrastive_gs.families._pair_features import ScaledPairs

    points, table, sides = noisy_points_split
    family = make_family("lasso", degree=3, n_penalties=8)
    group_pairs = pairs.select_group(table, "PP")
    blocks = allpairs.group_block_pairs(points, sides, "within", "PP")
    sample = group_pairs.sample(300, random_state=2).sort_index()
    [from_points] = fit.fit_group(family, points, sample, [0], "from the points", blocks)
    scaled = ScaledPairs.of(points, blocks["train"])
    terms, y = _every_pair_terms(scaled, blocks["train"], 3)
    largest = np.max(np.abs(_standardised(terms)[0].T @ (y - y.mean()))) / len(y)
    grid = lasso.penalty_grid(largest, 8)
    errors = np.zeros(len(grid))
    for fitted, held_out in lasso.point_folds(blocks["train"], family.settings.cv_folds):
        fit_terms, fit_y = _every_pair_terms(scaled, fitted, 3)
        held_terms, held_y = _every_pair_terms(scaled, held_out, 3)
        for k, penalty in enumerate(grid):
            coef, intercept = _sklearn_lasso(fit_terms, fit_y, penalty)
            errors[k] += np.mean((held_y - intercept - held_terms @ coef) ** 2)
    from_moments = lasso.point_cross_validation_errors(scaled, poly.design_powers(3), grid, 5)
    np.testing.assert_allclose(from_moments, errors, rtol=1e-7)
    coef, intercept = _sklearn_lasso(terms, y, grid[int(np.argmin(errors))])
    X = group_pairs[pairs.FEATURES].to_numpy()
    X_terms = PolynomialFeatures(3, include_bias=False).fit_transform(
        scaled.scalers[0].transform(X)
    )
    expected = scaled.scalers[1].inverse_transform((X_terms @ coef + intercept)[:, None]).ravel()
    np.testing.assert_allclose(from_points.model.predict_features(X), expected, atol=1e-7)
    assert from_points.metrics["train"]["n"] == (sample["split"] == "train").sum()


def test_lasso_on_every_pair_of_a_constant_target_keeps_no_term(noisy_points_split):
    """ln D the same at every point: no term explains the pairs, every coefficient is 0 and the
    model predicts a ratio of 1 (log ratio 0)."""
    from contrastive_gs.families import lasso
    from contrastive_gs.families._pair_features import ScaledPairs

    points, table, sides = noisy_points_split
    flat = points.assign(logD=1.5)
    blocks = allpairs.group_block_pairs(flat, sides, "within", "pooled")["train"]
    model = lasso.every_pair_lasso(
        ScaledPairs.of(flat, blocks), make_family("lasso").settings, "flat"
    )
    assert not model.named_steps["regression"].coef_.any()
    X = pairs.select_group(table, "pooled")[pairs.FEATURES].to_numpy()
    np.testing.assert_allclose(model.predict(X), 0.0, atol=1e-12)
