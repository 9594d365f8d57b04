"""Tidy tables of a run: every fit's metrics, the recovered laws, and the views that figures
draw (a reference sweep point, R2 per model, recovery errors).

Identities (scenario values, model, hyper-parameters, group, fold, seed) come from the results
layout (:func:`contrastive_gs.layout.parse_fit_file`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from contrastive_gs import diagnostics, io, layout, recovery
from contrastive_gs.families import family

log = logging.getLogger(__name__)
IDENTITY = ("model", "group", "fold", "seed", "split", "parameter")
RECOVERY_COLUMNS = [
    "estimate", "stderr", "seed_std", "truth", "rel_error_pct", "mean_abs_rel_error_pct",
    "interval_low", "interval_high", "status",
]  # fmt: skip


def _identity_row(identity: Mapping[str, Any]) -> dict[str, Any]:
    """Scenario values, model and hyper-parameters of a fit, in the columns' order."""
    return {**identity["scenario"], "model": identity["model"], **identity["hyper"]}


def tidy(
    table: pd.DataFrame, scenario: Sequence[str], tail: list[str], values: list[str]
) -> pd.DataFrame:
    """Columns ordered scenario keys, model, hyper-parameters (in order of appearance),
    ``tail``, ``values``; integer hyper-parameters as nullable integers (missing for models
    without them)."""
    hyper = [c for c in table.columns if c not in (*scenario, *IDENTITY, *values)]
    for column in hyper:
        if pd.api.types.is_float_dtype(table[column]):
            table[column] = table[column].astype("Int64")
    identity = [*scenario, "model", *hyper, *tail]
    return table[identity + [k for k in values if k in table.columns]]


def metrics_table(metrics_files: Sequence[str]) -> pd.DataFrame:
    """One tidy row per (scenario, model, hyper-parameters, group, fold, seed, split)."""
    rows = []
    scenario_keys: list[str] = []
    for path in metrics_files:
        identity = layout.parse_fit_file(path)
        scenario_keys = list(identity["scenario"])
        fit = {"group": identity["group"], "fold": identity["fold"], "seed": identity["seed"]}
        for split, stats in io.read_json(path).items():
            rows.append({**_identity_row(identity), **fit, "split": split, **stats})
    return tidy(
        pd.DataFrame(rows), scenario_keys, ["group", "fold", "seed", "split"], diagnostics.STAT_KEYS
    )


def seed_summary(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over seeds of R2, RMSE and the ceiling, per everything else."""
    keys = [c for c in metrics.columns if c not in diagnostics.STAT_KEYS and c != "seed"]
    summary = metrics.groupby(keys, dropna=False, sort=False)[["r2", "rmse", "r2_ceiling"]].agg(
        ["mean", "std", "count"]
    )
    summary.columns = [f"{stat}_{agg}" for stat, agg in summary.columns]
    return summary.reset_index()


def recovery_table(law_files: Sequence[str]) -> pd.DataFrame:
    """One tidy row per (scenario, model, hyper-parameters, group, parameter) of the scaling law
    recovered over the seeds and folds of a group: estimate, stderr, seed_std, truth,
    rel_error_pct, mean_abs_rel_error_pct, the 95 % interval, the status (estimated, not
    identifiable or poorly determined, and why), n_fits, n_success.

    ``law_files``: the per-fit scaling_law.json (:func:`contrastive_gs.recovery.fit_record`).
    """
    by_group: dict[tuple, list[str]] = {}
    identities: dict[tuple, dict[str, Any]] = {}
    for path in law_files:
        identity = layout.parse_fit_file(path)
        key = (repr(identity["scenario"]), identity["model"], repr(identity["hyper"]))
        key += (identity["group"],)
        by_group.setdefault(key, []).append(path)
        identities.setdefault(key, identity)
    rows = []
    scenario_keys: list[str] = []
    for key, paths in by_group.items():
        identity = identities[key]
        scenario_keys = list(identity["scenario"])
        law = recovery.summary_of_records([io.read_json(path) for path in paths])
        log.info("%s (%d fits): %s", key, len(paths), _estimates_text(law))
        for name, entry in law["parameters"].items():
            interval = entry.get("interval") or [None, None]
            values = {k: entry.get(k) for k in RECOVERY_COLUMNS}
            values.update(interval_low=interval[0], interval_high=interval[1])
            rows.append(
                {**_identity_row(identity), "group": identity["group"], "parameter": name,
                 **values, "n_fits": law["n_fits"], "n_success": law["n_success"]}
            )  # fmt: skip
    return tidy(
        pd.DataFrame(rows), scenario_keys, ["group", "parameter"],
        [*RECOVERY_COLUMNS, "n_fits", "n_success"],
    )  # fmt: skip


def _estimates_text(summary: Mapping) -> str:
    parts = []
    for name, entry in summary["parameters"].items():
        if entry.get("estimate") is not None:
            parts.append(f"{name} = {entry['estimate']:.4g} (truth {entry['truth']})")
    return ", ".join(parts) or "not identifiable: " + "; ".join(summary["reasons"])


def rows_at_point(
    table: pd.DataFrame, point: Mapping[str, Mapping[str, Any]], free: Sequence[str] = ()
) -> pd.DataFrame:
    """Rows of a tidy table (:func:`metrics_table`, :func:`recovery_table`) at the reference
    ``point`` (see :func:`contrastive_gs.config.reference_point`), except for the ``free`` keys;
    a hyper-parameter constrains only the rows of its own model."""
    keep = np.ones(len(table), dtype=bool)
    for key, value in point["scenario"].items():
        if key not in free and key in table:
            keep &= (table[key] == value).to_numpy()
    for model, hyper in point.items():
        of_model = (table["model"] == model).to_numpy()
        for key, value in hyper.items():
            if model != "scenario" and key not in free and key in table:
                keep &= ~of_model | (table[key] == value).fillna(False).to_numpy()
    return table[keep]


def at_point(
    metrics: pd.DataFrame, point: Mapping[str, Mapping[str, Any]], free: Sequence[str]
) -> pd.DataFrame:
    """Test rows of the tidy metrics at the reference ``point``, except for the ``free`` keys
    (:func:`rows_at_point`)."""
    return rows_at_point(metrics[metrics["split"] == "test"], point, free)


def r2_by_model(
    metrics: pd.DataFrame, point: Mapping[str, Mapping[str, object]], groups: Sequence[str]
) -> pd.DataFrame:
    """Test R2 per (model, group) at ``point`` (``{"scenario": {...}, model: {hyper values}}``,
    as :func:`contrastive_gs.config.reference_point` gives it): mean, sd (0 for one seed) and
    count over seeds and folds, the group's information ceiling and the model's label (its
    family's :meth:`~contrastive_gs.families.Family.describe`); groups in ``groups`` order."""
    rows = at_point(metrics, point, [])
    rows = rows[rows["group"].isin(groups)]
    table = (
        rows.groupby(["model", "group"], sort=False)
        .agg(
            r2_mean=("r2", "mean"),
            r2_sd=("r2", "std"),
            seeds=("r2", "size"),
            ceiling=("r2_ceiling_group", "mean"),
        )
        .reset_index()
    )
    table["r2_sd"] = table["r2_sd"].fillna(0.0)
    labels = {}
    for model, model_rows in rows.groupby("model", sort=False):
        first = model_rows.iloc[0]
        hyper = {k: first[k] for k in family(model).hyper_keys if k in rows}
        hyper = {k: v for k, v in hyper.items() if v is not None and not pd.isna(v)}
        labels[model] = family(model).describe(hyper)
    table["label"] = table["model"].map(labels)
    table["group"] = pd.Categorical(table["group"], categories=list(groups), ordered=True)
    return table.sort_values(["group", "model"], kind="stable").reset_index(drop=True)


OVERVIEW_RECOVERY_COLUMNS = ("model", "group", "parameter", "error_pct", "error_sd_pct")


def recovery_errors(
    table: pd.DataFrame, point: Mapping[str, Mapping[str, object]], groups: Sequence[str]
) -> pd.DataFrame:
    """Rows of :data:`OVERVIEW_RECOVERY_COLUMNS` from the tidy recovery table
    (:func:`recovery_table`) at ``point``, for the first of ``groups`` that the table holds: the
    mean absolute relative error (%) of each recovered parameter (``error_pct``; NaN where it
    is not identifiable) and its sd over fits (``error_sd_pct``, from ``seed_std`` where the
    truth is known)."""
    rows = rows_at_point(table, point)
    present = [g for g in groups if g in set(rows["group"])]
    if not present:
        return pd.DataFrame(columns=list(OVERVIEW_RECOVERY_COLUMNS))
    rows = rows[rows["group"] == present[0]]

    def number(column: str) -> pd.Series:
        return pd.to_numeric(rows[column], errors="coerce").astype(float)

    truth = number("truth").where(lambda t: t != 0)
    return pd.DataFrame(
        {
            "model": rows["model"].astype(str),
            "group": rows["group"].astype(str),
            "parameter": rows["parameter"].astype(str),
            "error_pct": number("mean_abs_rel_error_pct"),
            "error_sd_pct": (100.0 * number("seed_std") / truth.abs()),
        }
    ).reset_index(drop=True)[list(OVERVIEW_RECOVERY_COLUMNS)]


def symbolic_tables(files: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every symbolic fit of a run in one tidy table (one row per scenario, model,
    hyper-parameters, group, fold and seed: the :class:`contrastive_gs.symbolic.LawRecovery`
    fields, the model's own expression where it has one, the truth), and per group the
    :func:`contrastive_gs.symbolic.seed_summary` over its folds and seeds.

    ``files``: the per-group symbolic tables (CSV) of the symbolic rule."""
    from contrastive_gs import symbolic

    frames, summaries = [], []
    values: dict[str, None] = {}  # the tables' own columns, in order
    scenario_keys: list[str] = []
    for path in files:
        identity = layout.parse_group_file(path)
        scenario_keys = list(identity["scenario"])
        rows = pd.read_csv(path)
        for column in ("expression", "latex", "reason"):
            rows[column] = rows[column].fillna("")
        values.update(dict.fromkeys(c for c in rows.columns if c not in IDENTITY))
        truth = {
            column.removesuffix("_true"): float(rows[column].iloc[0])
            for column in rows.columns
            if column.endswith("_true")
        }
        frames.append(rows.assign(**_identity_row(identity)))
        summaries.append(
            {**_identity_row(identity), "group": identity["group"],
             **symbolic.seed_summary(rows, truth),
             **{f"{name}_true": value for name, value in truth.items()}}
        )  # fmt: skip
    fits = tidy(pd.concat(frames, ignore_index=True), scenario_keys, ["group", "fold", "seed"],
                list(values))  # fmt: skip
    groups = pd.DataFrame(summaries)
    summary_values = [*symbolic.SUMMARY_KEYS, *(c for c in groups.columns if c.endswith("_true"))]
    return fits, tidy(groups, scenario_keys, ["group"], summary_values)
