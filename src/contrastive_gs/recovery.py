"""Recover the scaling law: alpha per point from each model, then Ka, Kb (and r) from alpha.

1. :func:`alpha_estimates` gives the recovered exponent alpha at every grid point (train and test
   points alike: a ``points`` split leaves few test points, and alpha is a property of the model):

   * ``twin``, ``twin_structured``: ``-dg/d ln M`` of the point network (see
     :mod:`contrastive_gs.twin`);
   * ``kernel``: :func:`contrastive_gs.physics.alpha` with the fitted parameters;
   * ``nn``, ``poly`` (the lecture's models on pair features): minus the slope of the prediction
     along ``logM_ratio`` at ``invT_diff = 0`` and ``Tg_diff = 0`` (:func:`pair_model_alpha`).
     For two points at the same temperature the truth is ``-alpha(T) logM_ratio``, but a model
     of pair features sees the same features ``(logM_ratio, 0, 0)`` at every T: it can hold only
     *one* slope, so its alpha is one number for all T.  That bias is the point: the lecture's
     features cannot express alpha(T), whatever the model's capacity.

2. :func:`fit_scaling_law` fits ``alpha = 1 + Ka / (Kb + r(T, Tg) (T - Tg))`` (with the physics
   module's glassy/rubbery blend) to those alphas with :func:`scipy.optimize.curve_fit`.

3. :func:`fit_record` keeps one fit's law with its truth (a fit job writes it beside the fit);
   :func:`scaling_law_summary` and :func:`summary_of_records` compare the estimates (one fit or
   one per seed) with the truth; :func:`alpha_vs_T_figure` draws recovered alpha against
   ``T - Tg``.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from contrastive_gs import physics
from contrastive_gs.kernel import PARAMETERS, linearised_start, spans_glass_transition
from contrastive_gs.pairs import FEATURES

log = logging.getLogger(__name__)
FAMILIES = ("twin", "twin_structured", "kernel", "nn", "poly")
PAIR_MODEL_GRID = 21  # points of the logM_ratio grid on which a pair model's slope is taken


# --- 1. alpha per point -------------------------------------------------------------------------


def pair_model_predictor(model_name: str, model, x_scaler, y_scaler) -> Callable:
    """``predict(X_unscaled) -> y`` of a lecture model as :func:`contrastive_gs.fit.fit_group`
    returns it (a FitResult's model and scalers): unscaled pair features (n, 3) in the order
    of :data:`contrastive_gs.pairs.FEATURES` to unscaled ``logD_ratio`` (n,)."""
    from contrastive_gs import models

    def predict(X: np.ndarray) -> np.ndarray:
        X_scaled = x_scaler.transform(np.asarray(X, dtype=np.float64))
        if model_name == "nn":
            y = models.predict_mlp(model, X_scaled)
        else:
            y = np.asarray(model.predict(X_scaled), dtype=np.float64)
        return y_scaler.inverse_transform(y.reshape(-1, 1)).ravel()

    return predict


def pair_model_alpha(
    predict: Callable[[np.ndarray], np.ndarray],
    logM_half_range: float,
    n_grid: int = PAIR_MODEL_GRID,
) -> float:
    """alpha of a model on pair features: minus its slope along ``logM_ratio``.

    ``predict`` maps unscaled pair features (n, 3), columns ``FEATURES``, to ``logD_ratio``
    (n,); any model type will do.  The slope is taken by finite differences: the least-squares
    line through ``n_grid`` predictions at ``logM_ratio`` evenly spaced over
    ``[-logM_half_range, logM_half_range]`` (the data's range) with ``invT_diff = Tg_diff = 0``;
    for a polynomial of degree 2 it equals the derivative at 0.  One number for all T, by
    construction (see the module docstring).
    """
    if not logM_half_range > 0:
        raise ValueError(f"logM_half_range must be > 0, got {logM_half_range}")
    x = np.linspace(-logM_half_range, logM_half_range, n_grid)
    X = np.zeros((n_grid, len(FEATURES)))
    X[:, FEATURES.index("logM_ratio")] = x
    y = np.asarray(predict(X), dtype=np.float64).ravel()
    slope = np.polyfit(x, y, 1)[0]
    return float(-slope)


def alpha_estimates(family: str, model: Any, points: pd.DataFrame) -> np.ndarray:
    """Recovered alpha at every point of ``points`` (columns M, T, Tg), shape (n,).

    ``family`` and ``model``: ``twin`` / ``twin_structured`` with a
    :class:`contrastive_gs.twin.TwinModel`; ``kernel`` with a
    :class:`contrastive_gs.kernel.KernelFit`; ``nn`` / ``poly`` with a callable
    ``predict(X_unscaled) -> y`` (:func:`pair_model_predictor`) or a FitResult of
    :func:`contrastive_gs.fit.fit_group`; their slope is taken over the range of
    ``ln(M_i/M_j)`` that ``points`` span.  A FitResult of a twin or the kernel is accepted too.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown model family {family!r}; expected one of {FAMILIES}")
    if family in ("nn", "poly"):
        predict = model
        if not callable(model):
            predict = pair_model_predictor(family, model.model, model.x_scaler, model.y_scaler)
        M = points["M"].to_numpy(np.float64)
        value = pair_model_alpha(predict, float(np.log(M.max() / M.min())))
        return np.full(len(points), value)
    if not hasattr(model, "alpha"):
        model = model.model  # a FitResult
    return np.asarray(model.alpha(points), dtype=np.float64)


def alpha_frame(points: pd.DataFrame, alpha: np.ndarray, **labels: Any) -> pd.DataFrame:
    """A tidy table of recovered alpha per point: Polymer, M (g/mol), T (K), Tg (K),
    T_minus_Tg (K), alpha, alpha_true (where ``points`` has it), plus constant ``labels``
    columns (e.g. ``model="twin", seed=0``)."""
    frame = pd.DataFrame(
        {
            "Polymer": points["Polymer"].to_numpy(),
            "M": points["M"].to_numpy(np.float64),
            "T": points["T"].to_numpy(np.float64),
            "Tg": points["Tg"].to_numpy(np.float64),
            "T_minus_Tg": (points["T"] - points["Tg"]).to_numpy(np.float64),
            "alpha": np.asarray(alpha, dtype=np.float64),
        }
    )
    if "alpha" in points:
        frame["alpha_true"] = points["alpha"].to_numpy(np.float64)
    for key, value in labels.items():
        frame[key] = value
    return frame


# --- 2. the scaling law from alpha --------------------------------------------------------------


@dataclasses.dataclass
class ScalingLawFit:
    """Ka, Kb (K) and r_glassy (-) fitted to alpha(T, Tg); NaN with a reason when ill-posed."""

    estimates: dict[str, float]
    stderr: dict[str, float]  # sqrt(diag(pcov)) of curve_fit; 0 for a parameter held fixed
    fitted: tuple[str, ...]  # parameters fitted (r_glassy only when the data span Tg)
    success: bool
    reason: str = ""  # why the fit failed or is not trusted; "" on success
    n_points: int = 0


def _failed(reason: str, fitted: tuple[str, ...], n_points: int, r_value: float) -> ScalingLawFit:
    estimates = {name: float("nan") for name in PARAMETERS}
    if "r_glassy" not in fitted:
        estimates["r_glassy"] = r_value
    stderr = {name: float("nan") for name in PARAMETERS}
    log.warning("scaling-law fit not possible: %s", reason)
    return ScalingLawFit(estimates, stderr, fitted, False, reason, n_points)


def fit_scaling_law(
    T: np.ndarray, Tg: np.ndarray, alpha: np.ndarray, r_fixed: float | None = None
) -> ScalingLawFit:
    """Fit ``alpha = 1 + Ka / (Kb + r(T, Tg) (T - Tg))`` to recovered alphas (T, Tg in K).

    ``r(T, Tg)`` is the physics module's blend of 1 (above Tg) and ``r_glassy`` (below).  With
    ``r_fixed=None``, r_glassy is fitted if the data span Tg for some polymer (points below
    ``Tg - 5 K`` and above ``Tg + 5 K``), else held at 1; a number holds it at that value.

    An ill-posed fit (alpha constant over T, as for the lecture's pair models; too few distinct
    temperatures; non-finite alpha; no convergence) returns NaN estimates and a ``reason``
    instead of raising.
    """
    from scipy.optimize import OptimizeWarning, curve_fit

    T, Tg, alpha = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (T, Tg, alpha)))
    T, Tg, alpha = T.ravel(), Tg.ravel(), alpha.ravel()
    fit_r = r_fixed is None and spans_glass_transition(T, Tg)
    r_value = 1.0 if r_fixed is None else float(r_fixed)
    fitted = PARAMETERS if fit_r else PARAMETERS[:2]
    n = len(alpha)
    if n == 0 or not np.all(np.isfinite(alpha)):
        return _failed("alpha is empty or not finite", fitted, n, r_value)
    if np.ptp(alpha) <= 1e-9 * max(1.0, float(np.abs(alpha).max())):
        return _failed(
            f"alpha is constant ({alpha[0]:.6g}) over T: the scaling law is not identifiable "
            "(a model of pair features has one alpha for all T)", fitted, n, r_value,
        )  # fmt: skip
    dT = T - Tg
    if len(np.unique(np.round(dT, 9))) <= len(fitted):
        return _failed(
            f"{len(np.unique(dT))} distinct T - Tg values cannot fit {len(fitted)} parameters",
            fitted, n, r_value,
        )  # fmt: skip
    H = physics.state_parameter(T, Tg, 0.0)  # rubbery weight: r = H + (1 - H) r_glassy

    def law(_, Ka, Kb, r_glassy=r_value):
        denominator = Kb + (H + (1.0 - H) * r_glassy) * dT
        return 1.0 + Ka / np.maximum(denominator, physics.POLE_MARGIN_K)

    start = linearised_start(dT, alpha, fit_r)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", OptimizeWarning)
            estimates, covariance = curve_fit(
                law, dT, alpha, p0=start, bounds=(0.0, np.inf), method="trf",
                ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=10_000,
            )  # fmt: skip
    except (RuntimeError, ValueError, OptimizeWarning) as error:
        return _failed(f"curve_fit failed: {error}", fitted, n, r_value)
    errors = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    values = dict(zip(fitted, map(float, estimates), strict=True))
    values.setdefault("r_glassy", r_value)
    stderr = dict.fromkeys(PARAMETERS, 0.0)
    stderr.update(zip(fitted, map(float, errors), strict=True))
    success = bool(np.all(np.isfinite(estimates)) and np.all(np.isfinite(errors)))
    reason = "" if success else "covariance of the estimates is not finite"
    return ScalingLawFit(values, stderr, fitted, success, reason, n)


# --- 3. summary against the truth ---------------------------------------------------------------


def _json_number(value: float) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def scaling_law_summary(estimates, truth: Mapping[str, float]) -> dict:
    """Estimate, standard error, truth and relative error (%) per parameter, JSON-ready (NaN and
    inf as None).

    ``estimates``: one fit or a sequence of fits (one per seed), each with ``estimates`` and
    ``stderr`` dicts (:class:`ScalingLawFit`, :class:`contrastive_gs.kernel.KernelFit`).  With
    one fit, ``stderr`` is its own; with several, ``estimate`` is the mean over the fits that
    gave finite values, ``stderr`` the standard error of that mean over fits (``seed_std /
    sqrt(n)``), ``seed_std`` the spread of one fit; ``fit_stderr`` is the mean of the fits' own
    standard errors.  ``rel_error_pct = 100 (estimate - truth) / truth``;
    ``mean_abs_rel_error_pct`` is the mean over fits of ``|100 (fit - truth) / truth|``.
    ``truth`` maps parameter names (Ka, Kb, r_glassy) to true values; absent ones give None.
    """
    fits = list(estimates) if isinstance(estimates, Sequence) else [estimates]
    summary: dict[str, Any] = {
        "n_fits": len(fits),
        "n_success": int(sum(bool(getattr(f, "success", True)) for f in fits)),
        "reasons": sorted({r for f in fits if (r := getattr(f, "reason", ""))}),
        "parameters": {},
    }
    for name in PARAMETERS:
        values = np.array([f.estimates.get(name, np.nan) for f in fits], dtype=np.float64)
        errors = np.array([f.stderr.get(name, np.nan) for f in fits], dtype=np.float64)
        fitted = any(name in getattr(f, "fitted", PARAMETERS) for f in fits)
        finite = np.isfinite(values)
        n = int(finite.sum())
        estimate = float(values[finite].mean()) if n else np.nan
        seed_std = float(values[finite].std(ddof=1)) if n > 1 else np.nan
        fit_stderr = float(np.mean(errors[finite])) if n else np.nan
        stderr = seed_std / np.sqrt(n) if n > 1 else fit_stderr
        true = truth.get(name)
        entry = {
            "fitted": fitted,
            "estimate": _json_number(estimate),
            "stderr": _json_number(stderr),
            "seed_std": _json_number(seed_std),
            "fit_stderr": _json_number(fit_stderr),
            "truth": None if true is None else float(true),
            "rel_error_pct": None,
            "mean_abs_rel_error_pct": None,
            "per_fit": [_json_number(v) for v in values],
        }
        if true is not None and float(true) != 0.0 and n:
            entry["rel_error_pct"] = _json_number(100.0 * (estimate - true) / true)
            entry["mean_abs_rel_error_pct"] = _json_number(
                float(np.mean(np.abs(100.0 * (values[finite] - true) / true)))
            )
        summary["parameters"][name] = entry
    return summary


def group_truth(
    truth: Mapping[str, float | None], r_glassy: Mapping[str, float], polymers: Sequence[str]
) -> dict[str, float]:
    """The true parameters known for a group of ``polymers``: Ka and Kb (K) where ``truth`` has
    them (None for measured data), and r_glassy if the group's polymers share one value
    (``r_glassy``: per polymer name; 1 where absent)."""
    known = {name: float(value) for name, value in truth.items() if value is not None}
    distinct = {float(r_glassy.get(name, 1.0)) for name in polymers}
    if len(distinct) == 1:
        known["r_glassy"] = distinct.pop()
    return known


def alpha_error_pct(alpha_table: pd.DataFrame) -> float | None:
    """Mean absolute relative error (%) of the recovered alpha over the points of an
    :func:`alpha_frame` table; None where the true alpha is unknown."""
    if "alpha_true" not in alpha_table or alpha_table["alpha_true"].isna().any():
        return None
    return float(np.mean(np.abs(alpha_table["alpha"] / alpha_table["alpha_true"] - 1.0)) * 100.0)


def fit_record(alpha_table: pd.DataFrame, truth: Mapping[str, float]) -> dict[str, Any]:
    """The scaling law fitted to one fit's alpha (an :func:`alpha_frame` table), JSON-ready:
    ``law`` (the :class:`ScalingLawFit` fields), the ``truth`` to compare it with
    (:func:`group_truth`) and ``alpha_error_pct`` (:func:`alpha_error_pct`)."""
    law = fit_scaling_law(alpha_table["T"], alpha_table["Tg"], alpha_table["alpha"])
    return {
        "law": dataclasses.asdict(law),
        "truth": dict(truth),
        "alpha_error_pct": alpha_error_pct(alpha_table),
    }


def _law_of_record(record: Mapping[str, Any]) -> ScalingLawFit:
    """The ScalingLawFit of a :func:`fit_record` read back from JSON (None back to NaN)."""
    law = record["law"]

    def numbers(values: Mapping[str, float | None]) -> dict[str, float]:
        return {name: np.nan if value is None else value for name, value in values.items()}

    return ScalingLawFit(
        numbers(law["estimates"]), numbers(law["stderr"]), tuple(law["fitted"]),
        law["success"], law["reason"], law["n_points"],
    )  # fmt: skip


def summary_of_records(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """:func:`scaling_law_summary` of one group's fits (a :func:`fit_record` per seed), plus
    ``alpha`` as a pseudo-parameter: the mean over seeds of :func:`alpha_error_pct`."""
    summary = scaling_law_summary([_law_of_record(r) for r in records], records[0]["truth"])
    errors = [r["alpha_error_pct"] for r in records if r["alpha_error_pct"] is not None]
    summary["parameters"]["alpha"] = {
        "fitted": True,
        "mean_abs_rel_error_pct": float(np.mean(errors)) if errors else None,
    }
    return summary


# --- 4. figure ----------------------------------------------------------------------------------


def alpha_vs_T_figure(
    recovered: pd.DataFrame,
    truth: Mapping[str, float] | None,
    r_glassy: Mapping[str, float] | float = 1.0,
    title: str = "",
):
    """Recovered alpha against ``T - Tg``, one panel per polymer, all seeds overlaid, the true
    law as a line.

    ``recovered``: columns Polymer, T (K), Tg (K), alpha and seed (as :func:`alpha_frame` makes;
    one row per point and seed).  ``truth``: Ka and Kb (K) of the data, None if unknown
    (measured data: no line); ``r_glassy``: the true
    state parameter below Tg, one for all polymers or per polymer name.  Returns the Figure.
    """
    import matplotlib.pyplot as plt

    from contrastive_gs import plots  # noqa: F401  (Agg backend and the project's rcParams)

    polymers = list(pd.unique(recovered["Polymer"]))
    figure, axes = plt.subplots(
        1, len(polymers), figsize=(4.2 * len(polymers), 3.8), squeeze=False, sharey=True
    )
    seeds = sorted(pd.unique(recovered["seed"])) if "seed" in recovered else [None]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, polymer in zip(axes[0], polymers, strict=True):
        rows = recovered[recovered["Polymer"] == polymer]
        Tg = float(rows["Tg"].iloc[0])
        dT = (rows["T"] - rows["Tg"]).to_numpy()
        for k, seed in enumerate(seeds):
            of_seed = rows if seed is None else rows[rows["seed"] == seed]
            ax.scatter(
                of_seed["T"] - of_seed["Tg"], of_seed["alpha"], s=14, alpha=0.6,
                color=colors[k % len(colors)], label=None if seed is None else f"seed {seed}",
            )  # fmt: skip
        if truth is not None:  # measured data have no known law
            r = r_glassy if np.isscalar(r_glassy) else r_glassy.get(polymer, 1.0)
            line = np.linspace(dT.min(), dT.max(), 300)
            label = f"truth: Ka={truth['Ka']:g} K, Kb={truth['Kb']:g} K"
            label += f", r={r:g}" if r != 1 else ""
            ax.plot(
                line, physics.alpha(line + Tg, Tg, truth["Ka"], truth["Kb"], r), "k-", lw=1.2,
                label=label,
            )  # fmt: skip
        ax.set_title(f"{polymer} (Tg = {Tg:g} K)")
        ax.set_xlabel("T - Tg (K)")
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("scaling exponent alpha (-)")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
