"""Predict D where nobody measured it: point predictions anchored on measured points, their
cross-validated errors, and calibrated bands.

A contrastive model predicts ratios, not D itself: it fixes its free constant on the measured
points of the same polymer.  The prediction of ln D at a point x, anchored on the train points
A of x's polymer, is the mean over the anchors of what each anchor and the model's pair
prediction give,

    ln D(x) = mean_{j in A} [ ln D_j + f(x, j) ],

with f the model's predicted logD_ratio of the pair (x, j); for a twin or the kernel (f = g_x -
g_j) that is g_x plus the mean of ln D_j - g_j over the anchors.  It needs one anchor at least.

Cross-validation: every held-out (test) point of a split of the points is predicted by the fit
of its fold (mean over seeds).  Its residual, predicted - measured ln D, gives the
cross-validated error.  Two bands:

* for a new *measurement* at the point: the 90 % split-conformal quantile of held-out points'
  absolute residuals; a held-out point's band is calibrated on the other folds' points (CV+:
  its coverage is then a test of the band), or, with one fold, on the other points (its
  coverage then holds by construction: ``cross_validation_summary`` leaves it out); a query
  point's band uses all of them.  Under exchangeable residuals it covers a new measurement with
  probability >= 90 %; it holds the measurement noise, so it is wider than the uncertainty of
  the prediction itself.
* for the *true* D (the model's uncertainty, without the noise of a new measurement): the 5 and
  95 % quantiles of the prediction over bootstrap draws of the train points, where the fit has
  them (the kernel's ``bootstrap``; a twin with ``bagging``, whose seeds are draws: mean +- t sd
  over the seeds, t of 90 % with seeds - 1 degrees of freedom).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from contrastive_gs.families import FittedModel
from contrastive_gs.pairs import pair_table

LN10 = np.log(10.0)
BAND_LEVEL = 0.90  # nominal coverage of the prediction bands
MAX_ANCHORS = 200  # pair-feature models: anchors per polymer at most (a seeded sample beyond)
PREDICTION_CHUNK = 200_000  # pairs of targets and anchors predicted at once
SUMMARY_KEYS = (
    "n_held_out", "rmse_log10", "coverage", "half_width_log10", "rmse_log10_true",
    "ci_coverage_of_truth", "ci_half_width_log10",
)  # fmt: skip
POINT_PREDICTION_COLUMNS = [
    "point", "Polymer", "M", "T", "Tg", "side", "logD", "logD_true", "logD_pred", "n_anchors",
    "ci_low", "ci_high", "resampled",
]  # fmt: skip
CI_QUANTILES = (5.0, 95.0)  # of a bootstrap band for the true D


def anchored_log_diffusivity(
    model: FittedModel,
    points: pd.DataFrame,
    targets: np.ndarray,
    anchors: np.ndarray,
    seed: int = 0,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """ln D predicted at the ``targets`` (row positions in ``points``) anchored on the
    ``anchors`` of the same polymer (see the module docstring; a weighted mean with the anchors'
    ``weights``, per point of ``points``, where given), and the number of anchors of each; NaN
    where a target's polymer has no anchor.  A model of one point function uses every anchor
    in O(points); a model of pair features at most :data:`MAX_ANCHORS` per polymer."""
    if weights is not None:
        anchors = anchors[weights[anchors] > 0]
    g = model.log_diffusivity(points)
    if g is not None:  # g_x + the mean of ln D_j - g_j over every anchor, in O(points)
        counts = np.ones((1, len(points))) if weights is None else weights[None, :]
        predicted = anchored_draws(g[None, :], counts, points, targets, anchors)[0]
        polymer = points["Polymer"].to_numpy()
        n_anchors = pd.Series(polymer[anchors]).value_counts()
        return predicted, n_anchors.reindex(polymer[targets]).fillna(0).to_numpy(np.int64)
    polymer = points["Polymer"].to_numpy()
    rng = np.random.default_rng(seed)
    i_parts, j_parts = [], []
    for name in pd.unique(polymer[targets]):
        of_polymer = anchors[polymer[anchors] == name]
        if len(of_polymer) > MAX_ANCHORS:
            of_polymer = np.sort(rng.choice(of_polymer, MAX_ANCHORS, replace=False))
        mine = targets[polymer[targets] == name]
        i_parts.append(np.repeat(mine, len(of_polymer)))
        j_parts.append(np.tile(of_polymer, len(mine)))
    i = np.concatenate(i_parts or [np.array([], np.int64)]).astype(np.int64)
    j = np.concatenate(j_parts or [np.array([], np.int64)]).astype(np.int64)
    polymers = list(pd.unique(polymer))
    logD = points["logD"].to_numpy(np.float64)
    estimates = np.empty(len(i))
    for start in range(0, len(i), PREDICTION_CHUNK):  # memory O(chunk), not O(targets x anchors)
        rows = slice(start, start + PREDICTION_CHUNK)
        pairs = pair_table(points, i[rows], j[rows], np.zeros(len(i[rows]), bool), polymers)
        estimates[rows] = logD[j[rows]] + model.predict_pairs(points, pairs)
    position = pd.Index(targets).get_indexer(i)
    w = np.ones(len(j)) if weights is None else weights[j]
    sums = np.bincount(position, weights=w * estimates, minlength=len(targets))
    counts = np.bincount(position, minlength=len(targets))
    total = np.bincount(position, weights=w, minlength=len(targets))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / total, np.nan), counts


def anchored_draws(
    g: np.ndarray,
    counts: np.ndarray,
    points: pd.DataFrame,
    targets: np.ndarray,
    anchors: np.ndarray,
) -> np.ndarray:
    """ln D at the targets under each draw of a point function ``g`` (draws, n), anchored on the
    anchors of the same polymer with the draw's ``counts`` (draws, n) as weights: g(x) + the
    weighted mean over anchors of (ln D_j - g_j); shape (draws, len(targets)), NaN without
    anchors."""
    polymer = points["Polymer"].to_numpy()
    logD = points["logD"].to_numpy(np.float64)
    result = np.full((len(g), len(targets)), np.nan)
    for name in pd.unique(polymer[targets]):
        mine = polymer[targets] == name
        of = anchors[polymer[anchors] == name]
        weight = counts[:, of]
        total = weight.sum(axis=1)
        if len(of):
            with np.errstate(invalid="ignore", divide="ignore"):
                offset = (weight * (logD[of][None, :] - g[:, of])).sum(axis=1) / total
            result[:, mine] = g[:, targets[mine]] + offset[:, None]
    return result


def point_predictions(
    model: FittedModel,
    points: pd.DataFrame,
    sides: np.ndarray,
    seed: int = 0,
    resampled: bool = False,
    rows: np.ndarray | None = None,
) -> pd.DataFrame:
    """Anchored predictions at every point of ``points`` (data and query points): ``sides``
    says which are train (the anchors), test, query or unused; with the bootstrap band of the
    fit where it has draws, and whether its seeds are draws (``resampled``, then anchored with
    the draw's weights); columns :data:`POINT_PREDICTION_COLUMNS` (``point``: the row position).
    ``rows``: the positions of ``points`` among the points the model was fitted to (where the
    model's draws weigh them), where they differ."""
    rows = np.arange(len(points)) if rows is None else rows
    anchors = np.flatnonzero(sides == "train")
    targets = np.flatnonzero(np.isin(sides, ["train", "test", "query"]))

    def on_rows(counts: np.ndarray) -> np.ndarray:  # counts of the fit's points, at ``rows``
        padded = np.concatenate([counts, np.zeros(counts.shape[:-1] + (1,))], axis=-1)
        return padded[..., np.where(rows < counts.shape[-1], rows, -1)]

    weights = None if model.anchor_counts is None else on_rows(model.anchor_counts)
    predicted, counts = anchored_log_diffusivity(model, points, targets, anchors, seed, weights)
    ci_low = ci_high = np.full(len(targets), np.nan)
    drawn = model.log_diffusivity_draws(points)
    if drawn is not None:
        draws = anchored_draws(drawn[0], on_rows(drawn[1]), points, targets, anchors)
        with warnings.catch_warnings():  # a target without anchors: NaN, as its prediction
            warnings.simplefilter("ignore", RuntimeWarning)
            ci_low, ci_high = np.nanpercentile(draws, CI_QUANTILES, axis=0)
    true = points["logD_true"] if "logD_true" in points else pd.Series(np.nan, index=points.index)
    at_targets = points.iloc[targets]
    columns = {
        "point": targets,
        **{name: at_targets[name].to_numpy() for name in ("Polymer", "M", "T", "Tg")},
        "side": sides[targets],
        "logD": at_targets["logD"].to_numpy(),
        "logD_true": true.to_numpy(np.float64)[targets],
        "logD_pred": predicted,
        "n_anchors": counts,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "resampled": np.full(len(targets), resampled),
    }
    return pd.DataFrame(columns, columns=POINT_PREDICTION_COLUMNS)


def conformal_quantile(residuals: np.ndarray, level: float = BAND_LEVEL) -> float:
    """The split-conformal quantile of absolute residuals: the ceil((n + 1) level)-th smallest
    (inf where there are too few residuals for the level)."""
    residuals = np.sort(np.abs(np.asarray(residuals, dtype=np.float64)))
    rank = int(np.ceil((len(residuals) + 1) * level))
    return float(residuals[rank - 1]) if 0 < rank <= len(residuals) else float("inf")


def _true_D_band(rows: pd.DataFrame) -> tuple[float, float]:
    """(low, high) of the band for the true ln D at one point from its fits (one per seed)."""
    if rows["ci_low"].notna().any():
        return float(rows["ci_low"].mean()), float(rows["ci_high"].mean())
    if rows["resampled"].all() and len(rows) >= 2:
        from scipy.stats import t

        spread = t.ppf(BAND_LEVEL + (1 - BAND_LEVEL) / 2, len(rows) - 1) * rows["logD_pred"].std()
        return float(rows["logD_pred"].mean() - spread), float(rows["logD_pred"].mean() + spread)
    return np.nan, np.nan


def _conformal_half_widths(error: np.ndarray, fold: np.ndarray) -> np.ndarray:
    """Each held-out point's conformal half-width: from the residuals of the other folds (CV+:
    its own fold's fit never calibrates its band), or, with one fold, of the other points."""
    if len(np.unique(fold)) > 1:
        return np.array([conformal_quantile(error[fold != f]) for f in fold])
    return np.array([conformal_quantile(np.delete(error, k)) for k in range(len(error))])


def unanchored_held_out(predictions: pd.DataFrame) -> int:
    """How many held-out (point, fold) of one group (``predictions``: point predictions of every
    fold and seed) no fit could predict: their polymer has no train point to anchor on (every
    point of a polymer held out at once, as ``leave_out: polymer`` does)."""
    test = predictions[predictions["side"] == "test"]
    predicted = test["logD_pred"].notna().groupby([test["point"], test["fold"]]).any()
    return int((~predicted).sum())


def held_out_table(predictions: pd.DataFrame) -> pd.DataFrame:
    """Per held-out point of one group (``predictions``: point predictions of every fold and
    seed): measured (and, for simulated data, true) and predicted ln D (mean over seeds), the
    residual in log10 D, the leave-one-out conformal band of a new measurement
    (:func:`conformal_quantile`) and whether it covers the measurement, and the band of the true
    D (bootstrap) and whether it covers the truth.  Empty where the split holds out no point."""
    columns = ["point", "fold", "Polymer", "M", "T", "Tg", "logD", "logD_true", "logD_pred",
               "error_log10", "half_width_log10", "covered", "ci_low", "ci_high",
               "ci_covers_truth"]  # fmt: skip
    test = predictions[(predictions["side"] == "test") & predictions["logD_pred"].notna()]
    if test.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for (point, fold), fits in test.groupby(["point", "fold"], sort=True):
        first = fits.iloc[0]
        low, high = _true_D_band(fits)
        rows.append(
            {"point": point, "fold": fold, **{c: first[c] for c in ("Polymer", "M", "T", "Tg")},
             "logD": first["logD"], "logD_true": first["logD_true"],
             "logD_pred": fits["logD_pred"].mean(), "ci_low": low, "ci_high": high}
        )  # fmt: skip
    table = pd.DataFrame(rows)
    error = (table["logD_pred"] - table["logD"]).to_numpy() / LN10
    table["error_log10"] = error
    table["half_width_log10"] = _conformal_half_widths(error, table["fold"].to_numpy())
    finite = np.isfinite(table["half_width_log10"])
    table["covered"] = np.where(finite, np.abs(error) <= table["half_width_log10"], np.nan)
    known = table["logD_true"].notna() & table["ci_low"].notna()
    inside = (table["ci_low"] <= table["logD_true"]) & (table["logD_true"] <= table["ci_high"])
    table["ci_covers_truth"] = np.where(known, inside, np.nan)
    return table[columns]


def cross_validation_summary(held_out: pd.DataFrame) -> dict[str, float]:
    """Over the held-out points: how many, the log10 RMSE of D against the measurements (and the
    truth, for simulated data), the mean half-width (log10) of the 90 % bands of a new
    measurement (NaN where too few held-out points make a finite band: it needs 9 others) and
    their coverage (several folds only), and the coverage and half-width of the bands of the
    true D (where the fits have bootstrap draws; coverage where the truth is known)."""
    summary = dict.fromkeys(SUMMARY_KEYS, np.nan)
    summary["n_held_out"] = int(len(held_out))
    if held_out.empty:
        return summary
    summary["rmse_log10"] = float(np.sqrt(np.mean(held_out["error_log10"] ** 2)))
    finite = np.isfinite(held_out["half_width_log10"].astype(float))
    if finite.any():
        summary["half_width_log10"] = float(held_out.loc[finite, "half_width_log10"].mean())
        if held_out["fold"].nunique() > 1:  # one fold: coverage by construction, no test
            summary["coverage"] = float(held_out.loc[finite, "covered"].astype(float).mean())
    true = held_out["logD_true"].astype(float)
    if true.notna().any():
        error = (held_out["logD_pred"] - true) / LN10
        summary["rmse_log10_true"] = float(np.sqrt(np.nanmean(error**2)))
    band = held_out["ci_low"].astype(float).notna()
    if band.any():
        summary["ci_half_width_log10"] = float(
            ((held_out["ci_high"] - held_out["ci_low"])[band] / (2 * LN10)).mean()
        )
        if true[band].notna().any():
            summary["ci_coverage_of_truth"] = float(
                held_out.loc[band, "ci_covers_truth"].astype(float).mean()
            )
    return summary


def query_table(predictions: pd.DataFrame, held_out: pd.DataFrame) -> pd.DataFrame:
    """Per query point of one group: D (m^2/s, from the mean of ln D over folds and seeds), the
    90 % band of a measurement there (the conformal quantile of all held-out residuals; NaN
    without held-out points), the band of the true D (bootstrap; NaN where the fits have no
    draws), the spread of log10 D over folds and seeds, and the anchors used."""
    query = predictions[predictions["side"] == "query"]
    half_width = conformal_quantile(held_out["error_log10"]) if len(held_out) else np.nan
    columns = ["Polymer", "M", "T", "Tg", "D", "D_low", "D_high", "D_true_low", "D_true_high",
               "sd_log10_over_fits", "n_fits", "n_anchors"]  # fmt: skip
    if query.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for _, fits in query.groupby("point", sort=True):
        first = fits.iloc[0]
        bands = np.array([_true_D_band(of_fold) for _, of_fold in fits.groupby("fold")])
        known = np.isfinite(bands).all(axis=1)
        low, high = (bands[known, 0].min(), bands[known, 1].max()) if known.any() else (np.nan,) * 2
        log10D = fits["logD_pred"].mean() / LN10
        rows.append(
            {**{c: first[c] for c in ("Polymer", "M", "T", "Tg")}, "D": 10.0**log10D,
             "D_low": 10.0 ** (log10D - half_width), "D_high": 10.0 ** (log10D + half_width),
             "D_true_low": np.exp(low), "D_true_high": np.exp(high),
             "sd_log10_over_fits": float(np.nan_to_num((fits["logD_pred"] / LN10).std())),
             "n_fits": int(len(fits)), "n_anchors": int(fits["n_anchors"].min())}
        )  # fmt: skip
    return pd.DataFrame(rows)[columns]
