# Shared helpers of the rules: config validation, parameter spaces, paths and input functions.
import re

import pandas as pd
from snakemake.utils import Paramspace

from contrastive_gs import config as cgs_config
from contrastive_gs import data as cgs_data


def _validated_polymers():
    schema = cgs_config.load_schema(
        workflow.source_path("../schemas/config.schema.yaml")
    )
    try:
        return cgs_config.validate_config(config, schema)
    except cgs_config.ConfigError as error:
        raise WorkflowError(f"Invalid configuration: {error}") from None
    except cgs_data.DataFileError as error:
        raise WorkflowError(f"Invalid data: {error}") from None


POLYMERS = _validated_polymers()
GROUPS = list(config["groups"])
SEEDS = list(config["seeds"])
MODELS = list(config["models"])

# One Paramspace per swept thing: scenarios (data) and each model's hyper-parameters.
SCENARIOS = Paramspace(
    pd.DataFrame(cgs_config.scenario_table(config)), single_wildcard="scenario"
)
HYPERS = {
    model: Paramspace(
        pd.DataFrame(cgs_config.hyper_table(config, model)), single_wildcard="hyper"
    )
    for model in cgs_config.HYPER_KEYS
}

# Per-fit figures for a subset of fits (config: figures); metrics cover every fit.
FIGURE_GROUPS = GROUPS if config["figures"]["groups"] == "all" else GROUPS[:1]
FIGURE_SEEDS = SEEDS if config["figures"]["seeds"] == "all" else SEEDS[:1]
FIGURE_SCENARIOS = list(SCENARIOS.instance_patterns)
if config["figures"]["scenarios"] == "reference":
    FIGURE_SCENARIOS = [cgs_config.reference_scenario_path(config)]


wildcard_constraints:
    scenario=cgs_config.key_value_regex(cgs_config.SCENARIO_KEYS),
    model="|".join(cgs_config.HYPER_KEYS),
    hyper="[^/~]+~[^/]+(/[^/~]+~[^/]+)*",
    nn_hyper=cgs_config.key_value_regex(cgs_config.HYPER_KEYS["nn"]),
    poly_hyper=cgs_config.key_value_regex(cgs_config.HYPER_KEYS["poly"]),
    group="[^/~]+",
    seed="[0-9]+",


SCENARIO_DIR = "results/{scenario}"
GROUP_DIR = "results/{scenario}/fits/{model}/{hyper}/{group}"
FIT_DIR = f"{GROUP_DIR}/seed~{{seed}}"
COMPARE_DIR = "results/{scenario}/compare/{nn_hyper}/{poly_hyper}/{group}/seed~{seed}"
LOG_DIR = "results/{scenario}/logs"
CONDA_ENV = "../../envs/contrastive-gs.yaml"


def expand_only(pattern, **values):
    """expand() the wildcards named in ``values``; keep the pattern's other wildcards."""
    kept = re.sub(
        r"{(\w+)}",
        lambda m: m.group(0) if m.group(1) in values else f"{{{m.group(0)}}}",
        pattern,
    )
    return expand(kept, **values)


def fit_outputs(filename, groups=GROUPS, seeds=SEEDS):
    """Per-fit file patterns of one (scenario, model, hyper) point: one per group and seed."""
    return expand_only(f"{FIT_DIR}/{filename}", group=groups, seed=seeds)


# config batch: "point" trains every group and seed of a (scenario, model, hyper) point in one
# job (start-up paid once per point); "fit" makes one job per fit (for comparison, or clusters
# with many cores).
FIT_BATCHED = config["batch"] == "point"
FIT_LOG = (
    f"{LOG_DIR}/fit/{{model}}/{{hyper}}"
    if FIT_BATCHED
    else f"{LOG_DIR}/fit/{{model}}/{{hyper}}/{{group}}/seed~{{seed}}"
)


def fit_job_outputs(filename):
    """Output patterns of the fit rule."""
    return fit_outputs(filename) if FIT_BATCHED else [f"{FIT_DIR}/{filename}"]


def fit_job_groups(wildcards):
    """Groups one fit job fits."""
    return GROUPS if FIT_BATCHED else [wildcards.group]


def fit_job_seeds(wildcards):
    """Seeds one fit job fits."""
    return SEEDS if FIT_BATCHED else [int(wildcards.seed)]


def figure_outputs(directory, filename):
    """Output patterns of a figure batch: one file per figure group and figure seed."""
    return expand_only(
        f"{directory}/{filename}", group=FIGURE_GROUPS, seed=FIGURE_SEEDS
    )


def _native(instance):
    """Paramspace values as plain Python numbers (params must be plain to be compared)."""
    return {
        key: getattr(value, "item", lambda: value)() for key, value in instance.items()
    }


def measured_data(wildcards):
    """Input function of simulate: the measured-data file, if the config reads one."""
    return [config["data"]["path"]] if config["data"]["source"] == "file" else []


def simulate_params(wildcards):
    """The data section of the config with the scenario's swept values applied."""
    return {**config["data"], **_native(SCENARIOS.instance(wildcards))}


def model_settings(wildcards):
    """The config section of a model with its swept hyper-parameters applied."""
    return {
        **config[wildcards.model],
        **_native(HYPERS[wildcards.model].instance(wildcards)),
    }


R_GLASSY = {polymer.name: polymer.r_glassy for polymer in POLYMERS}


# Scheduling order: a scenario's data first (cheap), then the heaviest fits, so that a sweep does
# not end on one long fit while the other cores idle.  Other jobs have priority 0.
DATA_PRIORITY = 1


def fit_priority(wildcards):
    """In [0, 1), growing with a fit's cost: a network's hidden-layer weights times its epochs
    (depth x width^2 x epochs, in millions: c) as c / (1 + c); 0 without hidden layers."""
    settings = model_settings(wildcards)
    if "width" not in settings:
        return 0
    cost = settings["depth"] * settings["width"] ** 2 * settings["epochs"] / 1e6
    return cost / (1 + cost)


def scaling_law_truth(wildcards):
    """Ka and Kb (K) that generated the data of a scenario; None for measured data."""
    if config["data"]["source"] == "file":
        return {"Ka": None, "Kb": None}
    scenario = simulate_params(wildcards)
    return {"Ka": scenario["Ka"], "Kb": scenario["Kb"]}


def figure_fit_files(filename):
    """Input function: a file of each fit that gets figures, in one (scenario, model, hyper)."""

    def files(wildcards):
        patterns = fit_outputs(filename, FIGURE_GROUPS, FIGURE_SEEDS)
        return [p.format(**wildcards) for p in patterns]

    return files


def compare_inputs(wildcards):
    """Input function of compare: the NN and polynomial fits of every figure group and seed."""
    hypers = {"nn": wildcards.nn_hyper, "poly": wildcards.poly_hyper}
    return {
        f"{model}_{name}": [
            path.format(scenario=wildcards.scenario, model=model, hyper=hyper)
            for path in fit_outputs(filename, FIGURE_GROUPS, FIGURE_SEEDS)
        ]
        for model, hyper in hypers.items()
        for name, filename in (
            ("predictions", "predictions.parquet"),
            ("metrics", "metrics.json"),
        )
    }


def all_fit_files(filename):
    """A file of every fit: every scenario, model, hyper-parameter point, group and seed."""
    return [
        path.format(scenario=scenario, model=model, hyper=hyper)
        for scenario in SCENARIOS.instance_patterns
        for model in MODELS
        for hyper in HYPERS[model].instance_patterns
        for path in fit_outputs(filename)
    ]


def _formatted(patterns, **values):
    return [pattern.format(**values) for pattern in patterns]


def figure_targets():
    """Per-fit figures, alpha-vs-T figures, NN-vs-polynomial comparisons and PCA of the figure
    scenarios."""
    targets = []
    for scenario in FIGURE_SCENARIOS:
        targets += _formatted(rules.pca.output, scenario=scenario)
        for model in MODELS:
            for hyper in HYPERS[model].instance_patterns:
                for rule_outputs in (rules.diagnose.output, rules.recover.output):
                    targets += _formatted(
                        rule_outputs, scenario=scenario, model=model, hyper=hyper
                    )
        if {"nn", "poly"} <= set(MODELS):
            for nn_hyper in HYPERS["nn"].instance_patterns:
                for poly_hyper in HYPERS["poly"].instance_patterns:
                    targets += _formatted(
                        rules.compare.output,
                        scenario=scenario,
                        nn_hyper=nn_hyper,
                        poly_hyper=poly_hyper,
                    )
    return targets


def all_targets():
    return [
        *figure_targets(),
        *rules.aggregate.output,
        *rules.sweep_figures.output,
        *rules.aggregate_recovery.output,
        *report_targets(),
    ]
