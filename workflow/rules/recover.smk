# Scaling-law recovery.  Each fit job fits the law's parameters to the alpha(T - Tg) its fit
# implies (scaling_law.json beside the fit); aggregate_recovery summarises them over seeds and
# folds against the truth.  Rule diagnose draws, per (scenario, model, hyper) of the figure
# scenarios, alpha against T - Tg for each group of the figures (config figures.groups), every
# seed overlaid.


localrules:
    aggregate_recovery,


rule aggregate_recovery:
    input:
        laws=all_fit_files("scaling_law.json"),
    output:
        parquet=f"{SUMMARY_DIR}/recovery.parquet",
        csv=f"{SUMMARY_DIR}/recovery.csv",
    log:
        f"{SUMMARY_DIR}/logs/aggregate_recovery.log",
    benchmark:
        f"{SUMMARY_DIR}/logs/benchmarks/aggregate_recovery.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/aggregate_recovery.py"
