# Scaling-law recovery.  Each fit job fits Ka, Kb (and r) to the alpha(T - Tg) its fit implies
# (scaling_law.json beside the fit); aggregate_recovery summarises them over seeds against the
# truth.  The recover rule draws, per (scenario, model, hyper) of the figure scenarios, alpha
# against T - Tg for each group, every seed overlaid.


rule recover:
    input:
        alpha=fit_outputs("alpha.parquet"),
    output:
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
        r_glassy=R_GLASSY,
    script:
        "../../scripts/recover.py"


localrules:
    aggregate_recovery,


rule aggregate_recovery:
    input:
        laws=all_fit_files("scaling_law.json"),
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
