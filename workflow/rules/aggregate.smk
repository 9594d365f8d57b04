# Every fit's metrics in one tidy table, and mean +- sd over seeds.


localrules:
    aggregate,
    sweep_figures,


rule aggregate:
    input:
        metrics=all_fit_files("metrics.json"),
    output:
        metrics_parquet=f"{SUMMARY_DIR}/metrics.parquet",
        metrics_csv=f"{SUMMARY_DIR}/metrics.csv",
        summary=f"{SUMMARY_DIR}/summary.csv",
    log:
        f"{SUMMARY_DIR}/logs/aggregate.log",
    benchmark:
        f"{SUMMARY_DIR}/logs/benchmarks/aggregate.tsv"
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
            f"{SUMMARY_DIR}/r2_vs_width.svg",
            "r2_vs_width.rst",
            "sweeps",
            "test R2 vs NN width",
            ALL_GROUPS,
        ),
        r2_vs_noise=report_file(
            f"{SUMMARY_DIR}/r2_vs_noise.svg",
            "r2_vs_noise.rst",
            "sweeps",
            "test R2 vs noise",
            ALL_GROUPS,
        ),
        r2_heatmap_Ka_Kb=report_file(
            f"{SUMMARY_DIR}/r2_heatmap_Ka_Kb.svg",
            "r2_heatmap_Ka_Kb.rst",
            "sweeps",
            "test R2 over Ka x Kb",
            ALL_GROUPS,
        ),
    log:
        f"{SUMMARY_DIR}/logs/sweep_figures.log",
    benchmark:
        f"{SUMMARY_DIR}/logs/benchmarks/sweep_figures.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        point=cgs_config.canonical(cgs_config.reference_point(config)),
        groups=GROUPS,
        models=MODELS,
    script:
        "../../scripts/sweep_figures.py"
