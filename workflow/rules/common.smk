# Shared helpers of the rules: config validation, parameter spaces, paths (from the layout
# module) and input and params functions.  Every params value goes through cgs_config.canonical,
# so that a config with the same values in another key order reruns nothing.
import os
import re
import shlex
import sys

import pandas as pd
from snakemake.utils import Paramspace

from contrastive_gs import benchmarks
from contrastive_gs import config as cgs_config
from contrastive_gs import layout
from contrastive_gs import provenance
from contrastive_gs import scheduling
from contrastive_gs.data import DataFileError
from contrastive_gs.devices import device
from contrastive_gs.families import FAMILIES, family, family_from_config
from contrastive_gs.splits import split_from_config
from contrastive_gs import warm_worker

# Read by the provenance job (see contrastive_gs.provenance): not params, so they rerun nothing.
os.environ[provenance.COMMAND_ENV] = shlex.join(sys.argv)
os.environ[provenance.SOURCE_ENV] = str(workflow.current_basedir)


def _validated_polymers():
    """Complete the config with its defaults and check it whole, before any job runs."""
    schema = cgs_config.load_schema(
        workflow.source_path("../schemas/config.schema.yaml")
    )
    try:
        return cgs_config.validate_config(config, schema)
    except cgs_config.ConfigError as error:
        raise WorkflowError(f"Invalid configuration: {error}") from None
    except DataFileError as error:
        raise WorkflowError(f"Invalid data: {error}") from None


POLYMERS = _validated_polymers()
LAW = cgs_config.law_of(config)
MEASURED = cgs_config.measured(config)
GROUPS = list(config["groups"])  # groups: auto is resolved by the validation
SEEDS = list(config["seeds"])
MODELS = list(config["models"])
DATA_POINTS = cgs_config.data_points(config, POLYMERS)
FOLDS = list(range(split_from_config(config["pairs"]).get_n_splits(DATA_POINTS)))
COMPARED = list(config["compare"]) if set(config["compare"]) <= set(MODELS) else []
# Closed-form recovery (config symbolic): the fitted models of symbolic.models, when enabled.
SYMBOLIC_MODELS = cgs_config.symbolic_models(config)
QUERIES = config["predict"]["path"]

# Scenarios: one Paramspace point per combination of the swept data keys (simulated data), or
# the dataset's name (measured data); and one Paramspace per model's hyper-parameters.
SCENARIO_TABLE = cgs_config.scenario_table(config)
if MEASURED:
    SCENARIO_PATHS = [cgs_config.dataset_name(config)]
else:
    SCENARIO_PATHS = list(
        Paramspace(
            pd.DataFrame(SCENARIO_TABLE), single_wildcard="scenario"
        ).instance_patterns
    )
HYPERS = {
    model: Paramspace(
        pd.DataFrame(cgs_config.hyper_table(config, model)), single_wildcard="hyper"
    )
    for model in MODELS
}


def _firsts(values, choice):
    """All ``values``, or the first only (config figures.*)."""
    return list(values) if choice == "all" else list(values)[:1]


# Per-fit figures for a subset of fits (config: figures); metrics cover every fit.
FIGURE_GROUPS = _firsts(GROUPS, config["figures"]["groups"])
FIGURE_FOLDS = _firsts(FOLDS, config["figures"]["folds"])
FIGURE_SEEDS = _firsts(SEEDS, config["figures"]["seeds"])
FIGURE_SCENARIOS = list(SCENARIO_PATHS)
if config["figures"]["scenarios"] == "reference" and not MEASURED:
    FIGURE_SCENARIOS = [cgs_config.reference_scenario_path(config)]


def fit_identities(groups, folds, seeds):
    """[group, fold, seed] of every fit, in the order of per-fit file lists."""
    return [[group, fold, seed] for group in groups for fold in folds for seed in seeds]


ALL_FITS = fit_identities(GROUPS, FOLDS, SEEDS)
FIGURE_FITS = fit_identities(FIGURE_GROUPS, FIGURE_FOLDS, FIGURE_SEEDS)
# Per-group figures (measured vs predicted D, alpha vs T - Tg) draw every fold and seed of a group.
GROUP_FIGURE_FITS = fit_identities(FIGURE_GROUPS, FOLDS, SEEDS)


wildcard_constraints:
    scenario=(
        re.escape(SCENARIO_PATHS[0])
        if MEASURED
        else layout.key_value_regex(cgs_config.scenario_keys(config))
    ),
    model="|".join(FAMILIES),
    model_a="|".join(FAMILIES),
    model_b="|".join(FAMILIES),
    hyper=layout.KEY_VALUES,
    hyper_a=layout.KEY_VALUES,
    hyper_b=layout.KEY_VALUES,
    group="[^/~]+",
    fold="[0-9]+",
    seed="[0-9]+",


SCENARIO_DIR = layout.SCENARIO_DIR
PAIRS_DIR = layout.PAIRS_DIR
GROUP_DIR = layout.GROUP_DIR
FIT_DIR = layout.FIT_DIR
COMPARE_DIR = layout.COMPARE_DIR
LOG_DIR = layout.LOG_DIR
SUMMARY_DIR = layout.SUMMARY_DIR
CONDA_ENV = "../../envs/contrastive-gs.yaml"


WARM_WORKERS = []  # the run's warm worker, while it runs (contrastive_gs.warm_worker)
BENCHMARK_INTERVALS = []  # Snakemake's benchmark sampling before the warm worker's run


def start_warm_worker():
    """onstart: where the jobs run on this machine (not submitted) and config's warm_worker is
    on, start the process whose forks run every job's script without its imports, and sample
    the jobs' thin clients sparsely (see contrastive_gs.scheduling); else no job hands over,
    even to a worker this process inherited from an outer run."""
    os.environ.pop(warm_worker.ADDRESS_VARIABLE, None)
    if config["warm_worker"] and workflow.local_exec:
        worker = warm_worker.start(layout.WARM_WORKER_LOG)
        if worker:
            WARM_WORKERS.append(worker)
            sparse = scheduling.WARM_BENCHMARK_INTERVAL_S
            BENCHMARK_INTERVALS.append(scheduling.sample_benchmarks_every(sparse))


def end_run():
    """onsuccess and onerror: end the run's warm worker, restore Snakemake's benchmark
    sampling, and cancel the scheduler's pending re-evaluations so that the run exits now (see
    contrastive_gs.scheduling)."""
    while WARM_WORKERS:
        WARM_WORKERS.pop().stop()
    while BENCHMARK_INTERVALS:
        scheduling.sample_benchmarks_every(BENCHMARK_INTERVALS.pop())
    scheduling.cancel_pending_timers()


def fill(pattern, **values):
    """Format the wildcards named in ``values``; keep the pattern's other wildcards."""
    return re.sub(
        r"{(\w+)}",
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0),
        pattern,
    )


def per_fit(directory, filename, fits):
    """Per-fit file patterns, one per [group, fold, seed] of ``fits``, in that order."""
    return [
        fill(f"{directory}/{filename}", group=group, fold=fold, seed=seed)
        for group, fold, seed in fits
    ]


def per_fold(pattern, folds=FOLDS):
    """One pattern per fold."""
    return [fill(pattern, fold=fold) for fold in folds]


# config batch: "point" trains every group, fold and seed of a (scenario, model, hyper) point in
# one job (start-up paid once per point); "fit" makes one job per fit (for comparison, or
# clusters with many cores).
FIT_BATCHED = config["batch"] == "point"
FIT_LOG = (
    f"{LOG_DIR}/fit/{{model}}/{{hyper}}"
    if FIT_BATCHED
    else f"{LOG_DIR}/fit/{{model}}/{{hyper}}/{{group}}/fold~{{fold}}/seed~{{seed}}"
)


def fit_job_outputs(filename):
    """Output patterns of the fit rule."""
    return (
        per_fit(FIT_DIR, filename, ALL_FITS)
        if FIT_BATCHED
        else [f"{FIT_DIR}/{filename}"]
    )


def prediction_tables(filename):
    """Per group, a table of the cross-validated predictions of one (scenario, model, hyper)
    point (``cross_validation.csv``, ``predictions.csv``)."""
    return [fill(f"{GROUP_DIR}/{filename}", group=group) for group in GROUPS]


def fit_job_prediction_tables(filename):
    """Outputs of the fit rule: with ``batch: point`` the job holds every fit of its point and
    writes its prediction tables (:func:`prediction_tables`) itself, sparing a job per point;
    with ``batch: fit`` the predict rule gathers them."""
    return prediction_tables(filename) if FIT_BATCHED else []


def fit_job_fits(wildcards):
    """[group, fold, seed] of the fits of one fit job, in the order of its outputs."""
    if FIT_BATCHED:
        return ALL_FITS
    return [[wildcards.group, int(wildcards.fold), int(wildcards.seed)]]


def fit_job_folds(wildcards):
    """Folds whose pairs one fit job reads."""
    return FOLDS if FIT_BATCHED else [int(wildcards.fold)]


def fit_job_fold_files(filename):
    """Input function of fit: a file of each of its folds (pairs, sides)."""

    def files(wildcards):
        pattern = f"{PAIRS_DIR}/{filename}".replace("{scenario}", wildcards.scenario)
        return per_fold(pattern, fit_job_folds(wildcards))

    return files


def _native(instance):
    """Paramspace values as plain Python numbers (params must be plain to be compared)."""
    return {key: cgs_config.plain(value) for key, value in instance.items()}


def measured_data(wildcards):
    """Input function of simulate: the measured-data file, if the config reads one."""
    return [config["data"]["path"]] if MEASURED else []


def query_file(wildcards):
    """Input function of simulate: the query file, if the config asks for predictions."""
    return [QUERIES] if QUERIES else []


def scenario_values(wildcards):
    """The swept data values of a scenario (none for measured data)."""
    if MEASURED:
        return {}
    return layout.key_values(wildcards.scenario)


def simulate_params(wildcards):
    """The data section of the config with the scenario's swept values applied."""
    return cgs_config.canonical({**config["data"], **scenario_values(wildcards)})


def model_settings(wildcards):
    """The config section of a model with its swept hyper-parameters applied."""
    return cgs_config.canonical(
        {
            **config[wildcards.model],
            **_native(HYPERS[wildcards.model].instance(wildcards)),
        }
    )


LAW_PARAMS = cgs_config.canonical(cgs_config.law_params(config))
PREDICT_PARAMS = cgs_config.canonical(
    {**config["predict"], "T_unit": config["data"]["T_unit"]}
)
POLYMER_PARAMS = cgs_config.canonical(
    [{"name": p.name, "Tg": p.Tg, "r_glassy": p.r_glassy} for p in POLYMERS]
)
PAIR_PARAMS = cgs_config.canonical(cgs_config.pair_params(config))
SPLIT_PARAMS = cgs_config.canonical(
    {
        "split": config["pairs"]["split"],
        **{
            key: config["pairs"][key]
            for key in split_from_config(config["pairs"]).config_keys()
        },
    }
)


IDENTIFIABILITY = cgs_config.canonical(
    cgs_config.identifiability_rows(config, DATA_POINTS, GROUPS)
)


# Scheduling order, among the jobs that are ready: a scenario's data first (cheap); then the
# jobs that follow fits (figures, tables, predictions), as soon as their fits are done; then the
# fits, those of the figure scenarios first (so that their figures are drawn while the other fits
# run), and the heaviest first, so that a sweep ends neither on one long fit while the other
# cores idle nor on a queue of figures.  The figures of the pairs (PCA, PCoA) come after the
# figure scenarios' fits: by then the warm worker holds every library they import (skbio imports
# scipy and torch, 3-4 s), which a job run by one of its stand-ins imports itself.  The
# summaries of the whole run have priority 0.
DATA_PRIORITY = 3
FOLLOW_UP_PRIORITY = 2
PAIR_FIGURE_PRIORITY = 1


def fit_priority(wildcards):
    """In (0, 2): growing with a fit's cost (its family's: for a network, hidden-layer weights
    times epochs in millions, c) as c / (1 + c), plus 1 at a figure scenario."""
    cost = family_from_config(wildcards.model, model_settings(wildcards), LAW).cost()
    return cost / (1 + cost) + (1 if wildcards.scenario in FIGURE_SCENARIOS else 0)


def fit_device(wildcards):
    """The device of a fit job (config device) for a torch family, so that another device
    reruns only those; None for the others, which never read it."""
    return config["device"] if family(wildcards.model).uses_torch else None


def fit_gpus(wildcards):
    """GPUs a fit job asks a cluster for (resource gpu, read by the SLURM plugin): one for a
    torch family on a device that requests one (cuda), else none."""
    return int(
        family(wildcards.model).uses_torch and device(config["device"]).requests_gpu
    )


def scaling_law_truth(wildcards):
    """The law's parameters that generated the data of a scenario; None for measured data."""
    scenario = simulate_params(wildcards)
    return {key: None if MEASURED else scenario[key] for key in LAW.scenario_keys}


def figure_fit_files(filename):
    """Input function: a file of each fit that gets figures, in one (scenario, model, hyper)."""

    def files(wildcards):
        return [p.format(**wildcards) for p in per_fit(FIT_DIR, filename, FIGURE_FITS)]

    return files


def compare_inputs(wildcards):
    """Input function of compare: both models' fits of every figure fit."""
    sides = {
        "a": (wildcards.model_a, wildcards.hyper_a),
        "b": (wildcards.model_b, wildcards.hyper_b),
    }
    return {
        f"{side}_{name}": [
            path.format(scenario=wildcards.scenario, model=model, hyper=hyper)
            for path in per_fit(FIT_DIR, filename, FIGURE_FITS)
        ]
        for side, (model, hyper) in sides.items()
        for name, filename in (
            ("predictions", "predictions.parquet"),
            ("metrics", "metrics.json"),
        )
    }


def all_fit_files(filename):
    """A file of every fit: every scenario, model, hyper-parameter point, group, fold, seed."""
    return [
        path.format(scenario=scenario, model=model, hyper=hyper)
        for scenario in SCENARIO_PATHS
        for model in MODELS
        for hyper in HYPERS[model].instance_patterns
        for path in per_fit(FIT_DIR, filename, ALL_FITS)
    ]


def all_group_files(pattern, models=MODELS):
    """A per-group file (``pattern`` below GROUP_DIR) of every scenario, model of ``models``,
    hyper-parameter point and group."""
    return [
        fill(pattern, scenario=scenario, model=model, hyper=hyper, group=group)
        for scenario in SCENARIO_PATHS
        for model in models
        for hyper in HYPERS[model].instance_patterns
        for group in GROUPS
    ]


def _formatted(patterns, **values):
    return [pattern.format(**values) for pattern in patterns]


def compare_targets(scenario):
    """The comparison outputs of the two compared models (config compare) at every pair of
    their hyper-parameter points."""
    if not COMPARED:
        return []
    model_a, model_b = COMPARED
    return [
        path
        for hyper_a in HYPERS[model_a].instance_patterns
        for hyper_b in HYPERS[model_b].instance_patterns
        for path in _formatted(
            rules.compare.output,
            scenario=scenario,
            model_a=model_a,
            hyper_a=hyper_a,
            model_b=model_b,
            hyper_b=hyper_b,
        )
    ]


def figure_targets():
    """Per-fit figures, alpha-vs-T figures, measured vs predicted D, the comparison, the PCA
    and the PCoA of the figure scenarios."""
    targets = []
    for scenario in FIGURE_SCENARIOS:
        for fold in FIGURE_FOLDS:
            for rule_outputs in (rules.pca.output, rules.pcoa.output):
                targets += _formatted(rule_outputs, scenario=scenario, fold=fold)
        for model in MODELS:
            for hyper in HYPERS[model].instance_patterns:
                targets += _formatted(
                    rules.diagnose.output, scenario=scenario, model=model, hyper=hyper
                )
        targets += compare_targets(scenario)
    return targets


def _model_jobs(scenarios, models=MODELS):
    """Wildcards of a job per (scenario, model of ``models``, hyper-parameter point)."""
    return [
        {"scenario": scenario, "model": model, "hyper": hyper}
        for scenario in scenarios
        for model in models
        for hyper in HYPERS[model].instance_patterns
    ]


def _compare_jobs(scenarios):
    """Wildcards of a comparison job per scenario and pair of hyper-parameter points."""
    if not COMPARED:
        return []
    model_a, model_b = COMPARED
    return [
        dict(
            scenario=scenario,
            model_a=model_a,
            hyper_a=hyper_a,
            model_b=model_b,
            hyper_b=hyper_b,
        )
        for scenario in scenarios
        for hyper_a in HYPERS[model_a].instance_patterns
        for hyper_b in HYPERS[model_b].instance_patterns
    ]


def _fit_jobs():
    jobs = _model_jobs(SCENARIO_PATHS)
    if FIT_BATCHED:
        return jobs
    return [
        {**job, "group": group, "fold": fold, "seed": seed}
        for job in jobs
        for group, fold, seed in ALL_FITS
    ]


def run_jobs():
    """(rule, wildcards as text, benchmark file, log file) of every job of the run but the
    benchmarks rule's and the provenance rule's (tests/test_run_record.py checks them against
    the DAG)."""
    scenarios = [{"scenario": scenario} for scenario in SCENARIO_PATHS]
    figure_models = _model_jobs(FIGURE_SCENARIOS)
    figure_compares = _compare_jobs(FIGURE_SCENARIOS)
    jobs = {
        "simulate": scenarios,
        "pair": scenarios,
        "fit": _fit_jobs(),
        "predict": [] if FIT_BATCHED else _model_jobs(SCENARIO_PATHS),
        "diagnose": figure_models,
        "compare": figure_compares,
        **{
            name: [
                {"scenario": scenario, "fold": fold}
                for scenario in FIGURE_SCENARIOS
                for fold in FIGURE_FOLDS
            ]
            for name in ("pca", "pcoa")
        },
        "symbolic": _model_jobs(SCENARIO_PATHS, SYMBOLIC_MODELS),
        "aggregate_symbolic": [{}] if SYMBOLIC_MODELS else [],
        **{
            name: [{}]
            for name in (
                "identifiability",
                "aggregate",
                "sweep_figures",
                "aggregate_recovery",
                "aggregate_predictions",
                "overview",
            )
        },
    }
    return [
        (
            name,
            benchmarks.job_identity(wildcards),
            fill(str(getattr(rules, name).benchmark), **wildcards),
            fill(str(getattr(rules, name).log[0]), **wildcards),
        )
        for name, rule_jobs in jobs.items()
        for wildcards in rule_jobs
    ]


def symbolic_targets():
    """The symbolic rule's outputs for every scenario and symbolic model, and their summary;
    none unless symbolic.enabled."""
    if not SYMBOLIC_MODELS:
        return []
    return [
        path
        for job in _model_jobs(SCENARIO_PATHS, SYMBOLIC_MODELS)
        for path in _formatted(rules.symbolic.output, **job)
    ] + list(rules.aggregate_symbolic.output)


def all_targets():
    return [
        *figure_targets(),
        *symbolic_targets(),
        *rules.aggregate.output,
        *rules.sweep_figures.output,
        *rules.aggregate_recovery.output,
        *rules.aggregate_predictions.output,
        *rules.identifiability.output,
        *report_targets(),
    ]
