# Scaling-law recovery: Ka, Kb (and r) fitted to the alpha(T - Tg) that each fit implies, with
# their spread over seeds; one job per (scenario, model, hyper-parameters), files per group.


rule recover:
    input:
        alpha=fit_outputs("alpha.parquet"),
    output:
        laws=expand_only(f"{GROUP_DIR}/scaling_law.json", group=GROUPS),
        figures=report_files(
            expand_only(f"{GROUP_DIR}/alpha_vs_T.svg", group=GROUPS),
            "recovery_alpha_vs_T.rst",
            "recovery",
            "alpha vs T - Tg",
        ),
    log:
        f"{LOG_DIR}/recover/{{model}}/{{hyper}}.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        groups=GROUPS,
        truth=scaling_law_truth,
        r_glassy={polymer.name: polymer.r_glassy for polymer in POLYMERS},
    script:
        "../../scripts/recover.py"


localrules:
    aggregate_recovery,


rule aggregate_recovery:
    input:
        laws=scaling_law_files(),
    output:
        parquet="results/summary/recovery.parquet",
        csv="results/summary/recovery.csv",
    log:
        "results/summary/logs/aggregate_recovery.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/aggregate_recovery.py"
