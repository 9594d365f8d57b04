# The report's own rules: HTML versions of the CSV tables (the report shows HTML inline but
# offers CSV only as a download), batched like the rules that write the tables (one job per
# scenario, model and hyper-parameter point), and the one-page overview of the run with the
# metrics and recovery summaries as HTML.


localrules:
    fit_tables,
    compare_tables,
    overview,


rule fit_tables:
    input:
        residual_stats=per_fit(FIT_DIR, "residual_stats.csv", FIGURE_FITS),
        shapiro=per_fit(FIT_DIR, "shapiro.csv", FIGURE_FITS),
    output:
        residual_stats=report_fit_files(
            FIT_DIR,
            "residual_stats.html",
            "fit_residual_stats.rst",
            "fits",
            "Table 1 diagnostics",
        ),
        shapiro=report_fit_files(
            FIT_DIR, "shapiro.html", "fit_shapiro.rst", "fits", "Table 2 Shapiro-Wilk"
        ),
    log:
        f"{LOG_DIR}/tables/fits/{{model}}/{{hyper}}.log",
    benchmark:
        f"{LOG_DIR}/benchmarks/tables/fits/{{model}}/{{hyper}}.tsv"
    priority: FOLLOW_UP_PRIORITY
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        fits=FIGURE_FITS,
    script:
        "../../scripts/tables.py"


rule compare_tables:
    input:
        diagnostics=per_fit(COMPARE_DIR, "diagnostics.csv", FIGURE_FITS),
        shapiro=per_fit(COMPARE_DIR, "shapiro.csv", FIGURE_FITS),
    output:
        diagnostics=report_fit_files(
            COMPARE_DIR,
            "diagnostics.html",
            "compare_diagnostics.rst",
            "compare",
            "Table 1 diagnostics",
        ),
        shapiro=report_fit_files(
            COMPARE_DIR,
            "shapiro.html",
            "compare_shapiro.rst",
            "compare",
            "Table 2 Shapiro-Wilk",
        ),
    log:
        f"{LOG_DIR}/tables/compare/{{model_a}}/{{hyper_a}}/{{model_b}}/{{hyper_b}}.log",
    benchmark:
        f"{LOG_DIR}/benchmarks/tables/compare/{{model_a}}/{{hyper_a}}/{{model_b}}/{{hyper_b}}.tsv"
    priority: FOLLOW_UP_PRIORITY
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        fits=FIGURE_FITS,
    script:
        "../../scripts/tables.py"


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
