"""The results layout: every path template of the workflow, formatted and parsed here only.

    results/<scenario>/data/points.parquet
    results/<scenario>/pairs/fold~<k>/{pairs.parquet, summary.json}
    results/<scenario>/fits/<model>/<hyper>/<group>/fold~<k>/seed~<s>/<file>
    results/<scenario>/fits/<model>/<hyper>/<group>/<file>              (over folds and seeds)
    results/<scenario>/compare/<model a>/<hyper a>/<model b>/<hyper b>/<group>/fold~<k>/seed~<s>/
    results/<scenario>/pca/fold~<k>/<group>.svg
    results/<scenario>/pcoa/fold~<k>/<group>.svg
    results/<scenario>/fits/<model>/<hyper>/<group>/symbolic.{csv,html}, symbolic_alpha.svg
    results/<scenario>/logs/...
    results/summary/...                         (symbolic.{parquet,csv}, symbolic_summary.*)
    results/summary/logs/warm_worker.log        (contrastive_gs.warm_worker)

``<scenario>`` and ``<hyper>`` are ``key~value`` folders (Snakemake's ``Paramspace``): a simulated
scenario's parameters of the law and the noise (``Ka~140.0/Kb~40.0/noise~0.0``), a model's swept
hyper-parameters (``width~32/depth~2``); measured data have the dataset's name as scenario
(``results/toluene_zhu2019/...``).  The templates use Snakemake's ``{wildcard}`` syntax, so
the rule files and Python share them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

RESULTS = "results"
SCENARIO_DIR = f"{RESULTS}/{{scenario}}"
POINTS = f"{SCENARIO_DIR}/data/points.parquet"
PAIRS_DIR = f"{SCENARIO_DIR}/pairs/fold~{{fold}}"
GROUP_DIR = f"{SCENARIO_DIR}/fits/{{model}}/{{hyper}}/{{group}}"
FIT_DIR = f"{GROUP_DIR}/fold~{{fold}}/seed~{{seed}}"
COMPARE_DIR = (
    f"{SCENARIO_DIR}/compare/{{model_a}}/{{hyper_a}}/{{model_b}}/{{hyper_b}}"
    "/{group}/fold~{fold}/seed~{seed}"
)
PCA_FIGURE = f"{SCENARIO_DIR}/pca/fold~{{fold}}/{{group}}.svg"
PCOA_FIGURE = f"{SCENARIO_DIR}/pcoa/fold~{{fold}}/{{group}}.svg"
SYMBOLIC_TABLE = f"{GROUP_DIR}/symbolic.csv"  # one row per fold and seed of the group
SYMBOLIC_HTML = f"{GROUP_DIR}/symbolic.html"
SYMBOLIC_FIGURE = f"{GROUP_DIR}/symbolic_alpha.svg"
LOG_DIR = f"{SCENARIO_DIR}/logs"
SUMMARY_DIR = f"{RESULTS}/summary"
SYMBOLIC_FITS_PARQUET = f"{SUMMARY_DIR}/symbolic.parquet"  # every symbolic fit, one row each
SYMBOLIC_FITS_CSV = f"{SUMMARY_DIR}/symbolic.csv"
SYMBOLIC_SUMMARY_CSV = f"{SUMMARY_DIR}/symbolic_summary.csv"  # per group: form found how often
SYMBOLIC_SUMMARY_HTML = f"{SUMMARY_DIR}/symbolic_summary.html"
WARM_WORKER_LOG = f"{SUMMARY_DIR}/logs/warm_worker.log"  # of the run's warm worker, if any

KEY_VALUE = "[^/~]+~[^/]+"
KEY_VALUES = f"{KEY_VALUE}(/{KEY_VALUE})*"  # one or more key~value folders
FIT_LEVELS = ("fold", "seed")  # the key~value folders of one fit below its group


def key_value_path(values: Mapping[str, Any]) -> str:
    """``key~value`` folders of ``values`` in their order, values as ``str()`` writes them (as
    Snakemake's Paramspace does: ``Ka~140.0/Kb~40.0``)."""
    return "/".join(f"{key}~{value}" for key, value in values.items())


def key_value_regex(keys: Sequence[str]) -> str:
    """Regex of the ``key~value`` folders of ``keys`` (a wildcard constraint)."""
    return "/".join(f"{key}~[^/]+" for key in keys)


def parse_value(text: str) -> int | float | str:
    """A folder value as the number it was written from (int, then float), else the text."""
    for parse in (int, float):
        try:
            return parse(text)
        except ValueError:
            continue
    return text


DATASET_KEY = "dataset"  # a folder without "~": the name of a measured dataset


def key_values(folders: str) -> dict[str, int | float | str]:
    """The values of ``key~value`` folders (numbers parsed); a plain folder (a measured
    dataset's scenario) is the value of ``dataset``."""
    values: dict[str, int | float | str] = {}
    for part in folders.split("/"):
        key, separator, value = part.partition("~")
        if separator:
            values[key] = parse_value(value)
        elif part:
            values[DATASET_KEY] = part
        else:
            raise ValueError(f"an empty folder in {folders!r}")
    return values


def fit_dir(scenario: str, model: str, hyper: str, group: str, fold: int, seed: int) -> str:
    """The folder of one fit, from its identity (scenario and hyper as key~value folders)."""
    return FIT_DIR.format(
        scenario=scenario, model=model, hyper=hyper, group=group, fold=fold, seed=seed
    )


_FIT_FILE = re.compile(
    rf"^(?:.*/)?{RESULTS}/(?P<scenario>.+?)/fits/(?P<model>[^/~]+)/(?P<hyper>{KEY_VALUES})"
    r"/(?P<group>[^/~]+)/fold~(?P<fold>[0-9]+)/seed~(?P<seed>[0-9]+)/[^/]+$"
)


def parse_fit_file(path: str | PurePosixPath) -> dict[str, Any]:
    """The identity of a per-fit file ``results/<scenario>/fits/<model>/<hyper>/<group>/
    fold~<k>/seed~<s>/<file>``: ``scenario`` and ``hyper`` as dicts of values, ``model``,
    ``group``, ``fold`` and ``seed``.  ValueError for any other path."""
    match = _FIT_FILE.match(str(PurePosixPath(path)))
    if match is None:
        raise ValueError(f"not a per-fit file of the results layout: {path}")
    return {
        "scenario": key_values(match["scenario"]),
        "model": match["model"],
        "hyper": key_values(match["hyper"]),
        "group": match["group"],
        "fold": int(match["fold"]),
        "seed": int(match["seed"]),
    }


_GROUP_FILE = re.compile(
    rf"^(?:.*/)?{RESULTS}/(?P<scenario>.+?)/fits/(?P<model>[^/~]+)/(?P<hyper>{KEY_VALUES})"
    r"/(?P<group>[^/~]+)/[^/]+$"
)


def parse_group_file(path: str | PurePosixPath) -> dict[str, Any]:
    """The identity of a per-group file ``results/<scenario>/fits/<model>/<hyper>/<group>/<file>``
    (over folds and seeds): ``scenario``, ``model``, ``hyper``, ``group``."""
    match = _GROUP_FILE.match(str(PurePosixPath(path)))
    if match is None:
        raise ValueError(f"not a per-group file of the results layout: {path}")
    return {
        "scenario": key_values(match["scenario"]),
        "model": match["model"],
        "hyper": key_values(match["hyper"]),
        "group": match["group"],
    }


def per_fit(paths: Sequence[str], fits: Sequence[Sequence[Any]]) -> dict[tuple, str]:
    """``{(group, fold, seed): path}`` of a job's per-fit files, listed in ``fits`` order (the
    identities that the rule passes as params)."""
    if len(paths) != len(fits):
        raise ValueError(f"{len(paths)} files for {len(fits)} fits")
    return {tuple(fit): path for fit, path in zip(fits, paths, strict=True)}
