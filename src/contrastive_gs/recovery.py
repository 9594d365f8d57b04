"""Recover the scaling law: from each fit's alpha per point to the law's parameters.

1. A fitted model gives alpha at every point of its group (train and test points alike: a
   ``points`` split leaves few test points, and alpha is a property of the model), or says why
   it cannot (:class:`contrastive_gs.families.NotIdentifiable`); :func:`alpha_frame` tables it.
2. :func:`fit_scaling_law` fits the law's alpha (for the lecture's law, ``1 + Ka / (Kb + r(T, Tg)
   (T - Tg))`` with its glassy/rubbery blend) to those alphas with
   :func:`scipy.optimize.curve_fit`, estimating what the law says the points identify.
3. :func:`fit_record` keeps one fit's law with its truth (a fit job writes it beside the fit);
   :func:`scaling_law_summary` and :func:`summary_of_records` compare the estimates (one fit or
   one per seed and fold) with the truth.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from contrastive_gs.laws import ESTIMATED, Law

log = logging.getLogger(__name__)
INTERVAL = (2.5, 97.5)  # percentiles of an interval over fits


def alpha_frame(points: pd.DataFrame, alpha: np.ndarray, **labels: Any) -> pd.DataFrame:
    """A tidy table of recovered alpha per point: Polymer, M (g/mol), T (K), Tg (K),
    T_minus_Tg (K), alpha (NaN where not identifiable), alpha_true (where ``points`` has it),
    plus constant ``labels`` columns (e.g. ``seed=0``)."""
    frame = pd.DataFrame(
        {
            "Polymer": points["Polymer"].to_numpy(),
            "M": points["M"].to_numpy(np.float64),
            "T": points["T"].to_numpy(np.float64),
            "Tg": points["Tg"].to_numpy(np.float64),
            "T_minus_Tg": (points["T"] - points["Tg"]).to_numpy(np.float64),
            "alpha": np.array(np.broadcast_to(np.asarray(alpha, dtype=np.float64), len(points))),
        }
    )
    if "alpha" in points:
        frame["alpha_true"] = points["alpha"].to_numpy(np.float64)
    for key, value in labels.items():
        frame[key] = value
    return frame


@dataclasses.dataclass
class ScalingLawFit:
    """The law's parameters fitted to alpha at points; NaN with a reason when ill-posed."""

    estimates: dict[str, float]  # every parameter: fitted, or held (NaN where it varies)
    stderr: dict[str, float]  # sqrt(diag(pcov)) of curve_fit; 0 for a parameter held fixed
    fitted: tuple[str, ...]  # parameters fitted (those the points identify)
    success: bool
    reason: str = ""  # why the fit failed or is not trusted; "" on success
    n_points: int = 0
    statuses: dict[str, str] = dataclasses.field(default_factory=dict)  # every parameter
    interval: dict[str, list[float]] = dataclasses.field(default_factory=dict)  # where known


def _held(law: Law, fitted: tuple[str, ...], points: pd.DataFrame) -> dict[str, float]:
    """The held parameters' values at the points: one number each, NaN where they vary."""
    held = {}
    for name, value in law.fixed_values(fitted, points).items():
        unique = np.unique(np.asarray(value, dtype=np.float64))
        held[name] = float(unique[0]) if len(unique) == 1 else float("nan")
    return held


def failed_fit(
    reason: str, law: Law, points: pd.DataFrame, statuses: dict[str, str] | None = None
) -> ScalingLawFit:
    """A ScalingLawFit that could not be made: NaN estimates (held values where not fitted)."""
    statuses = dict(statuses if statuses is not None else law.identifiability(points))
    fitted = tuple(n for n in law.parameter_names() if statuses.get(n) == ESTIMATED)
    estimates = {name: float("nan") for name in law.parameter_names()}
    estimates.update(_held(law, fitted, points))
    stderr = {name: float("nan") for name in law.parameter_names()}
    log.warning("scaling-law fit not possible: %s", reason)
    for name in fitted:
        statuses[name] = f"not estimated: {reason}"
    return ScalingLawFit(estimates, stderr, (), False, reason, len(points), statuses)


def fit_scaling_law(points: pd.DataFrame, alpha: np.ndarray, law: Law) -> ScalingLawFit:
    """Fit ``law``'s alpha to recovered alphas at ``points`` (columns Polymer, T, Tg, and what
    the law reads), estimating the parameters the law says these points identify
    (:meth:`contrastive_gs.laws.Law.identifiability`).  Where pairs do not fix alpha's level
    (``law.alpha_level_from_pairs`` False), a free constant per polymer is fitted beside them.

    An ill-posed fit (alpha constant over T, as for the lecture's pair models; too few distinct
    temperatures; non-finite alpha; no convergence) returns NaN estimates and a ``reason``
    instead of raising.
    """
    from scipy.optimize import OptimizeWarning, curve_fit

    alpha = np.asarray(alpha, dtype=np.float64).ravel()
    statuses = law.identifiability(points)
    fitted = tuple(n for n in law.parameter_names() if statuses[n] == ESTIMATED)
    n = len(alpha)
    if not fitted:
        return failed_fit("no parameter is identifiable from these points", law, points, statuses)
    if n == 0 or not np.all(np.isfinite(alpha)):
        return failed_fit("alpha is empty or not finite", law, points, statuses)
    if np.ptp(alpha) <= 1e-9 * max(1.0, float(np.abs(alpha).max())):
        return failed_fit(
            f"alpha is constant ({alpha[0]:.6g}) over T: the scaling law is not identifiable "
            "(a model of pair features has one alpha for all T)", law, points, statuses,
        )  # fmt: skip
    dT = (points["T"] - points["Tg"]).to_numpy(np.float64)
    polymers, polymer_of = np.unique(points["Polymer"].to_numpy(), return_inverse=True)
    offsets = 0 if law.alpha_level_from_pairs else len(polymers)
    if len(np.unique(np.round(dT, 9))) <= len(fitted) + offsets:
        return failed_fit(
            f"{len(np.unique(dT))} distinct T - Tg values cannot fit {len(fitted) + offsets} "
            "parameters", law, points, statuses,
        )  # fmt: skip
    model = law.alpha_model(points, fitted)

    def with_offsets(x, *theta):
        values = model(x, *theta[: len(fitted)])
        return values + np.asarray(theta[len(fitted) :])[polymer_of] if offsets else values

    bounds = ([law.parameter(p).lower for p in fitted], [law.parameter(p).upper for p in fitted])
    bounds = (bounds[0] + [-np.inf] * offsets, bounds[1] + [np.inf] * offsets)
    start = law.start(points, alpha, fitted) + [0.0] * offsets
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", OptimizeWarning)
            estimates, covariance = curve_fit(
                with_offsets, dT, alpha, p0=start, bounds=bounds, method="trf",
                ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=10_000,
            )  # fmt: skip
    except (RuntimeError, ValueError, OptimizeWarning) as error:
        return failed_fit(f"curve_fit failed: {error}", law, points, statuses)
    estimates, errors = estimates[: len(fitted)], np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    errors = errors[: len(fitted)]
    values = {**_held(law, fitted, points), **dict(zip(fitted, map(float, estimates), strict=True))}
    values = {name: values[name] for name in law.parameter_names()}
    stderr = dict.fromkeys(law.parameter_names(), 0.0)
    stderr.update(zip(fitted, map(float, errors), strict=True))
    success = bool(np.all(np.isfinite(estimates)) and np.all(np.isfinite(errors)))
    reason = "" if success else "covariance of the estimates is not finite"
    return ScalingLawFit(values, stderr, fitted, success, reason, n, dict(statuses))


def _json_number(value: float) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def scaling_law_summary(estimates, truth: Mapping[str, float]) -> dict:
    """Estimate, standard error, truth and relative error (%) per parameter, JSON-ready (NaN and
    inf as None).

    ``estimates``: one fit or a sequence of fits (one per seed and fold), each with
    ``estimates`` and ``stderr`` dicts (:class:`ScalingLawFit`,
    :class:`contrastive_gs.families.kernel.KernelFit`).  With one fit, ``stderr`` is its own;
    with several, ``estimate`` is the mean over the fits that gave finite values, ``stderr`` the
    standard error of that mean over fits (``seed_std / sqrt(n)``), ``seed_std`` the spread of
    one fit; ``fit_stderr`` is the mean of the fits' own standard errors.
    ``rel_error_pct = 100 (estimate - truth) / truth``; ``mean_abs_rel_error_pct`` is the mean
    over fits of ``|100 (fit - truth) / truth|``.  ``truth`` maps parameter names to true
    values; absent ones give None.
    """
    fits = list(estimates) if isinstance(estimates, Sequence) else [estimates]
    summary: dict[str, Any] = {
        "n_fits": len(fits),
        "n_success": int(sum(bool(getattr(f, "success", True)) for f in fits)),
        "reasons": sorted({r for f in fits if (r := getattr(f, "reason", ""))}),
        "parameters": {},
    }
    for name in fits[0].estimates:
        values = np.array([f.estimates.get(name, np.nan) for f in fits], dtype=np.float64)
        errors = np.array([f.stderr.get(name, np.nan) for f in fits], dtype=np.float64)
        fitted = any(name in getattr(f, "fitted", (name,)) for f in fits)
        if not fitted:  # held in every fit: its value is no estimate
            values = np.full(len(fits), np.nan)
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
        entry["status"] = combined_status([f.statuses.get(name, "") for f in fits if f.statuses])
        entry["interval"] = _interval(fits, name, values[finite])
        summary["parameters"][name] = entry
    return summary


def combined_status(statuses: Sequence[str]) -> str:
    """One status for several fits (seeds, folds): theirs where they agree; else how many
    estimated the parameter, with the most common other status."""
    statuses = [s for s in statuses if s]
    if not statuses:
        return ""
    if len(set(statuses)) == 1:
        return statuses[0]
    estimated = sum(s == ESTIMATED for s in statuses)
    others = [s for s in statuses if s != ESTIMATED]
    common = max(set(others), key=others.count)
    if estimated:
        return f"estimated in {estimated} of {len(statuses)} fits; else {common}"
    return common


def _interval(fits, name: str, values: np.ndarray) -> list[float | None] | None:
    """A 95 % interval: the mean of the fits' own intervals (the kernel's bootstrap), else the
    2.5 and 97.5 % quantiles of the estimates over three or more fits, else None."""
    own = [f.interval[name] for f in fits if name in getattr(f, "interval", {})]
    if own:
        return [_json_number(v) for v in np.mean(np.array(own, dtype=np.float64), axis=0)]
    if len(values) >= 3:
        return [_json_number(v) for v in np.percentile(values, INTERVAL)]
    return None


def alpha_error_pct(alpha_table: pd.DataFrame) -> float | None:
    """Mean absolute relative error (%) of the recovered alpha over the points of an
    :func:`alpha_frame` table; None where the true alpha is unknown."""
    if "alpha_true" not in alpha_table or alpha_table["alpha_true"].isna().any():
        return None
    return float(np.mean(np.abs(alpha_table["alpha"] / alpha_table["alpha_true"] - 1.0)) * 100.0)


def fit_record(
    alpha_table: pd.DataFrame,
    truth: Mapping[str, float],
    law: Law,
    statuses: Mapping[str, str],
    own_fit: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The law of one fit, JSON-ready: ``law`` (the :class:`ScalingLawFit` fields: the fit's own
    estimates where the model is the law, ``own_fit``, else the law fitted to its alpha, an
    :func:`alpha_frame` table), the ``truth`` to compare it with, ``alpha_error_pct``
    (:func:`alpha_error_pct`) and ``alpha_status``.  ``statuses``: the model's statuses of alpha
    and of each parameter (:meth:`contrastive_gs.families.Family.identifiability`); where alpha
    is not identifiable, no fit is attempted."""
    alpha_status = statuses["alpha"]
    if own_fit is not None:
        law_fit = dict(own_fit)
    elif not alpha_status.startswith(ESTIMATED):
        fit = failed_fit(
            alpha_status, law, alpha_table, {n: statuses[n] for n in law.parameter_names()}
        )
        law_fit = dataclasses.asdict(fit)
    else:
        fit = fit_scaling_law(alpha_table, alpha_table["alpha"], law)
        for name in law.parameter_names():  # the model's word where it is more restrictive
            if not statuses[name].startswith(ESTIMATED):
                fit.statuses[name] = statuses[name]
        law_fit = dataclasses.asdict(fit)
    identified = alpha_status.startswith(ESTIMATED) and law.alpha_level_from_pairs
    return {
        "law": law_fit,
        "truth": dict(truth),
        "alpha_error_pct": alpha_error_pct(alpha_table) if identified else None,
        "alpha_status": alpha_status,
    }


def _law_of_record(record: Mapping[str, Any]) -> ScalingLawFit:
    """The ScalingLawFit of a :func:`fit_record` read back from JSON (None back to NaN)."""
    law = record["law"]

    def numbers(values: Mapping[str, float | None]) -> dict[str, float]:
        return {name: np.nan if value is None else value for name, value in values.items()}

    return ScalingLawFit(
        numbers(law["estimates"]), numbers(law["stderr"]), tuple(law["fitted"]),
        law["success"], law["reason"], law["n_points"], dict(law.get("statuses", {})),
        {name: list(bounds) for name, bounds in law.get("interval", {}).items()},
    )  # fmt: skip


def summary_of_records(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """:func:`scaling_law_summary` of one group's fits (a :func:`fit_record` per seed and fold),
    plus ``alpha`` as a pseudo-parameter: the mean over fits of :func:`alpha_error_pct`."""
    summary = scaling_law_summary([_law_of_record(r) for r in records], records[0]["truth"])
    errors = [r["alpha_error_pct"] for r in records if r["alpha_error_pct"] is not None]
    summary["parameters"]["alpha"] = {
        "fitted": True,
        "mean_abs_rel_error_pct": float(np.mean(errors)) if errors else None,
        "status": combined_status([r.get("alpha_status", "") for r in records]),
    }
    return summary
