# The report's own rule: the one-page overview of the run with the metrics and recovery summaries
# as HTML (the rules that write the per-fit tables write their HTML pages too).


localrules:
    overview,


rule overview:
    input:
        metrics=rules.aggregate.output.metrics_parquet,
        summary=rules.aggregate.output.summary,
        recovery=rules.aggregate_recovery.output.parquet,
        cross_validation=rules.aggregate_predictions.output.parquet,
    output:
        overview=report_file(
            f"{SUMMARY_DIR}/overview.png",
            "overview.rst",
            "overview",
            "Overview of the models",
        ),
        summary=report_file(
            f"{SUMMARY_DIR}/summary.html",
            "summary.rst",
            "overview",
            "Metrics over seeds",
        ),
        recovery=report_file(
            f"{SUMMARY_DIR}/recovery.html",
            "recovery_table.rst",
            "recovery",
            "Table: recovered scaling law",
        ),
    log:
        f"{SUMMARY_DIR}/logs/overview.log",
    benchmark:
        f"{SUMMARY_DIR}/logs/benchmarks/overview.tsv"
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
        law=LAW_PARAMS,
    script:
        "../../scripts/overview.py"
