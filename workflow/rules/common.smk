# Shared helpers of the rules: config validation, parameter spaces, paths and input functions.
import re

import pandas as pd
from snakemake.utils import Paramspace

from contrastive_gs import config as cgs_config


def _validated_polymers():
    schema = cgs_config.load_schema(
        workflow.source_path("../schemas/config.schema.yaml")
    )
    try:
        return cgs_config.validate_config(config, schema)
    except cgs_config.ConfigError as error:
        raise WorkflowError(f"Invalid configuration: {error}") from None


POLYMERS = _validated_polymers()
GROUPS = list(config["groups"])
SEEDS = list(config["seeds"])
MODELS = list(config["models"])
FIGURE_GROUPS = GROUPS if config["figures"]["groups"] == "all" else ["pooled"]
FIGURE_SEEDS = SEEDS if config["figures"]["seeds"] == "all" else SEEDS[:1]

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


wildcard_constraints:
    scenario=cgs_config.key_value_regex(cgs_config.SCENARIO_KEYS),
    model="|".join(cgs_config.HYPER_KEYS),
    hyper="[^/~]+~[^/]+(/[^/~]+~[^/]+)*",
    nn_hyper=cgs_config.key_value_regex(cgs_config.HYPER_KEYS["nn"]),
    poly_hyper=cgs_config.key_value_regex(cgs_config.HYPER_KEYS["poly"]),
    group="[^/~]+",
    seed="[0-9]+",


SCENARIO_DIR = "results/{scenario}"
FIT_DIR = "results/{scenario}/fits/{model}/{hyper}/{group}/seed~{seed}"
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
    """Output patterns of a fit batch: one file per group and seed."""
    return expand_only(f"{FIT_DIR}/{filename}", group=groups, seed=seeds)


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


def simulate_params(wildcards):
    """The data section of the config with the scenario's swept values applied."""
    return {**config["data"], **_native(SCENARIOS.instance(wildcards))}


def model_settings(wildcards):
    """The config section of a model with its swept hyper-parameters applied."""
    return {
        **config[wildcards.model],
        **_native(HYPERS[wildcards.model].instance(wildcards)),
    }


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


def _native(instance):
    """Paramspace values as plain Python numbers (params must be plain to be compared)."""
    return {
        key: getattr(value, "item", lambda: value)() for key, value in instance.items()
    }


def simulate_params(wildcards):
    """The data section of the config with the scenario's swept values applied."""
    return {**config["data"], **_native(SCENARIOS.instance(wildcards))}


def model_settings(wildcards):
    """The config section of a model with its swept hyper-parameters applied."""
    return {
        **config[wildcards.model],
        **_native(HYPERS[wildcards.model].instance(wildcards)),
    }


def figure_fit_files(filename):
    """Input function: a file of each fit that gets figures, in one (scenario, model, hyper)."""

    def files(wildcards):
        patterns = fit_outputs(filename, FIGURE_GROUPS, FIGURE_SEEDS)
        return [p.format(**wildcards) for p in patterns]

    return files


def _native(instance):
    """Paramspace values as plain Python numbers (params must be plain to be compared)."""
    return {
        key: getattr(value, "item", lambda: value)() for key, value in instance.items()
    }


def simulate_params(wildcards):
    """The data section of the config with the scenario's swept values applied."""
    return {**config["data"], **_native(SCENARIOS.instance(wildcards))}


def model_settings(wildcards):
    """The config section of a model with its swept hyper-parameters applied."""
    return {
        **config[wildcards.model],
        **_native(HYPERS[wildcards.model].instance(wildcards)),
    }


def figure_fit_files(filename):
    """Input function: a file of each fit that gets figures, in one (scenario, model, hyper)."""

    def files(wildcards):
        patterns = fit_outputs(filename, FIGURE_GROUPS, FIGURE_SEEDS)
        return [p.format(**wildcards) for p in patterns]

    return files


def compared_fit_files(filename):
    """Input function: a file of the NN and polynomial fits that one comparison job compares."""

    def files(wildcards):
        return {
            model: f"results/{wildcards.scenario}/fits/{model}/{hyper}/{wildcards.group}/seed~{wildcards.seed}/{filename}"
            for model, hyper in (
                ("nn", wildcards.nn_hyper),
                ("poly", wildcards.poly_hyper),
            )
        }

    return files


def _model_hyper_dirs():
    return [
        f"{model}/{hyper}"
        for model in MODELS
        for hyper in HYPERS[model].instance_patterns
    ]


def fit_metrics_files():
    """metrics.json of every fit of every scenario."""
    return [
        f"results/{scenario}/fits/{model_hyper}/{group}/seed~{seed}/metrics.json"
        for scenario in SCENARIOS.instance_patterns
        for model_hyper in _model_hyper_dirs()
        for group in GROUPS
        for seed in SEEDS
    ]


def diagnose_files():
    """Per-fit figures and tables of the figure groups and seeds."""
    return [
        f"results/{scenario}/fits/{model_hyper}/{group}/seed~{seed}/{name}"
        for scenario in SCENARIOS.instance_patterns
        for model_hyper in _model_hyper_dirs()
        for group in FIGURE_GROUPS
        for seed in FIGURE_SEEDS
        for name in DIAGNOSE_OUTPUTS
    ]


def compare_files():
    """NN-vs-polynomial figures and tables, and the PCA figures."""
    if not {"nn", "poly"} <= set(MODELS):
        return []
    return [
        f"results/{scenario}/compare/{nn_hyper}/{poly_hyper}/{group}/seed~{seed}/{name}"
        for scenario in SCENARIOS.instance_patterns
        for nn_hyper in HYPERS["nn"].instance_patterns
        for poly_hyper in HYPERS["poly"].instance_patterns
        for group in FIGURE_GROUPS
        for seed in FIGURE_SEEDS
        for name in COMPARE_OUTPUTS
    ]


def pca_files():
    return expand(
        "results/{scenario}/compare/pca/{group}.svg",
        scenario=SCENARIOS.instance_patterns,
        group=FIGURE_GROUPS,
    )


def all_targets():
    return [
        *diagnose_files(),
        *compare_files(),
        *pca_files(),
        "results/summary/metrics.parquet",
        "results/summary/metrics.csv",
        "results/summary/summary.csv",
    ]


DIAGNOSE_OUTPUTS = [
    "predicted_vs_true.svg",
    "hist.svg",
    "residuals_vs_predicted.svg",
    "qq.svg",
    "residual_stats.csv",
    "shapiro.csv",
]
COMPARE_OUTPUTS = [
    "diagnostics.csv",
    "shapiro.csv",
    "hist.svg",
    "residuals_vs_predicted.svg",
    "qq.svg",
    "nn_vs_poly.svg",
]
