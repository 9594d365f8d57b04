# Every fit's metrics in one tidy table, and mean +- sd over seeds.


localrules:
    aggregate,
    sweep_figures,


rule aggregate:
    input:
        metrics=all_fit_files("metrics.json"),
    output:
        metrics_parquet="results/summary/metrics.parquet",
        metrics_csv="results/summary/metrics.csv",
        summary="results/summary/summary.csv",
    log:
        "results/summary/logs/aggregate.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/aggregate.py"


rule sweep_figures:
    input:
        metrics=rules.aggregate.output.metrics_parquet,
    output:
        r2_vs_width=report_file(
            "results/summary/r2_vs_width.svg",
            "r2_vs_width.rst",
            "sweeps",
            "test R2 vs NN width",
            ALL_GROUPS,
        ),
        r2_vs_noise=report_file(
            "results/summary/r2_vs_noise.svg",
            "r2_vs_noise.rst",
            "sweeps",
            "test R2 vs noise",
            ALL_GROUPS,
        ),
        r2_heatmap_Ka_Kb=report_file(
            "results/summary/r2_heatmap_Ka_Kb.svg",
            "r2_heatmap_Ka_Kb.rst",
            "sweeps",
            "test R2 over Ka x Kb",
            ALL_GROUPS,
        ),
    log:
        "results/summary/logs/sweep_figures.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        point=cgs_config.reference_point(config),
        groups=GROUPS,
        models=MODELS,
    script:
        "../../scripts/sweep_figures.py"
