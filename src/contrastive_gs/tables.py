"""CSV tables as small standalone HTML pages, so that the Snakemake report shows them inline
(it shows images, HTML and PDF, and offers every other file only as a download).

The pages are deterministic: the same CSV gives the same bytes.
"""

from __future__ import annotations

import html
import math
import os

import pandas as pd

from contrastive_gs import io

# Title and note of each kind of table (the rule output names).
KINDS = {
    "residual_stats": (
        "Diagnostics (lecture table): R2, RMSE and residual statistics",
        "Residual = predicted - true logD_ratio (natural log, dimensionless). R2 ceiling: the "
        "best R2 any function of the pair features can reach on the same pairs.",
    ),
    "diagnostics": (
        "Diagnostics (lecture table): NN and polynomial, train and test",
        "Residual = predicted - true logD_ratio (natural log, dimensionless). R2 ceiling: the "
        "best R2 any function of the pair features can reach on the same pairs.",
    ),
    "shapiro": (
        "Shapiro-Wilk test of the residuals (as in the lecture)",
        "Descriptive only: each point sits in many pairs, so pair residuals are not independent "
        "and these p-values are not a valid test of normality.",
    ),
    "recovery": (
        "Recovered scaling law: the law's parameters and alpha against the truth",
        "One row per (scenario, model, hyper-parameters, group, parameter), over the seeds and "
        "folds of the group: estimate, its standard error, the spread of one fit (seed_std), the "
        "truth (simulated data), the relative error of the estimate and the mean absolute "
        "relative error of single fits, in percent, a 95 % interval (the kernel's bootstrap over "
        "points, else the spread of the fits), and the status: estimated, not identifiable (and "
        "why: the parameter is then held), or poorly determined (at a bound, relative standard "
        "error above 100 %, no residual degree of freedom); alpha: the error of the recovered "
        "exponent itself, mean over points.",
    ),
    "identifiability": (
        "What the data identify: per model, group and parameter, before any fit",
        "estimated, or not identifiable with the reason; a parameter not identifiable is held at "
        "the law's value (its default, start or published value) wherever a fit needs it.",
    ),
    "symbolic": (
        "Symbolic regression: the closed form of alpha(T - Tg) of each fit",
        "One row per fold and seed: the expression chosen on Operon's Pareto front (x = T - Tg "
        "in K; constants to 6 significant digits; the highest drop of ln RMSE per node among "
        "the expressions within (1 + tolerance) of the best RMSE), whether it has the law's "
        "form c + Ka/(Kb + x), then c_found, Ka_found and Kb_found (K) read off it, its length "
        "(complexity), its RMSE on alpha, the points regressed, the size of the front and the "
        "search's wall time (s); reason: why no search was run. model_expression: the fitted "
        "model's own expression, for symbolic regression on the pair features.",
    ),
    "symbolic_summary": (
        "Symbolic regression over seeds: how often the law's form was found",
        "One row per (scenario, model, hyper-parameters, group): fits, fits searched, fits whose "
        "expression has the form c + Ka/(Kb + x); the mean Ka_found and Kb_found (K) of those, "
        "and their mean absolute relative error against the truth (%).",
    ),
    "summary": (
        "Metrics over seeds: mean, standard deviation and count per fit and split",
        "One row per (scenario, model, hyper-parameters, group, split); r2_ceiling: the best R2 "
        "any function of the pair features can reach on the pairs of that split.",
    ),
}
STYLE = """
body { font-family: system-ui, sans-serif; font-size: 14px; margin: 1em; color: #111; }
h1 { font-size: 16px; margin: 0 0 0.2em 0; }
p { margin: 0.3em 0 0.8em 0; color: #333; max-width: 60em; }
table { border-collapse: collapse; }
th, td { padding: 3px 8px; border-bottom: 1px solid #ddd; text-align: right; }
th { background: #f2f2f2; }
td.text, th.text { text-align: left; }
"""


def _cell(value: object) -> str:
    """A table cell: floats with 4 significant digits (whole numbers as integers), missing as a
    dash, text escaped."""
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "&ndash;"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e6 else f"{value:.4g}"
    return html.escape(str(value))


def table_html(frame: pd.DataFrame, title: str, subtitle: str = "", note: str = "") -> str:
    """A standalone HTML page holding ``frame`` as a table under a title, subtitle and note."""
    kinds = ["num" if pd.api.types.is_numeric_dtype(frame[c]) else "text" for c in frame.columns]
    header = "".join(
        f'<th class="{kind}">{html.escape(str(c))}</th>'
        for c, kind in zip(frame.columns, kinds, strict=True)
    )
    rows = [
        "<tr>"
        + "".join(
            f'<td class="{kind}">{_cell(value)}</td>'
            for value, kind in zip(record, kinds, strict=True)
        )
        + "</tr>"
        for record in frame.itertuples(index=False)
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if subtitle:
        parts.append(f"<p>{html.escape(subtitle)}</p>")
    if note:
        parts.append(f"<p><em>{html.escape(note)}</em></p>")
    parts += [
        f"<table><thead><tr>{header}</tr></thead><tbody>",
        *rows,
        "</tbody></table></body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_table_html(
    csv_path: str | os.PathLike, html_path: str | os.PathLike, kind: str, subtitle: str = ""
) -> None:
    """Write the CSV table ``csv_path`` as an HTML page with the title and note of ``kind``
    (a key of :data:`KINDS`)."""
    write_frame_html(pd.read_csv(csv_path), html_path, kind, subtitle)


def write_frame_html(
    frame: pd.DataFrame, html_path: str | os.PathLike, kind: str, subtitle: str = ""
) -> None:
    """Write ``frame`` as an HTML page with the title and note of ``kind`` (see :data:`KINDS`)."""
    title, note = KINDS[kind]
    page = table_html(frame, title, subtitle, note)
    with io.atomic_path(html_path) as tmp:
        tmp.write_text(page)
