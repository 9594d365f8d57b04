# The report's own rules: HTML versions of the CSV tables (the report shows HTML inline but
# offers CSV only as a download) and the one-page overview of the run.


localrules:
    fit_tables,
    compare_tables,
    overview,


rule fit_tables:
    input:
        residual_stats=f"{FIT_DIR}/residual_stats.csv",
        shapiro=f"{FIT_DIR}/shapiro.csv",
    output:
        residual_stats=report_file(
            f"{FIT_DIR}/residual_stats.html",
            "fit_residual_stats.rst",
            "fits",
            "Table 1 diagnostics",
        ),
        shapiro=report_file(
            f"{FIT_DIR}/shapiro.html",
            "fit_shapiro.rst",
            "fits",
            "Table 2 Shapiro-Wilk",
        ),
    log:
        f"{LOG_DIR}/tables/fits/{{model}}/{{hyper}}/{{group}}/seed~{{seed}}.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../../scripts/tables.py"


rule compare_tables:
    input:
        diagnostics=f"{COMPARE_DIR}/diagnostics.csv",
        shapiro=f"{COMPARE_DIR}/shapiro.csv",
    output:
        diagnostics=report_file(
            f"{COMPARE_DIR}/diagnostics.html",
            "compare_diagnostics.rst",
            "compare",
            "Table 1 diagnostics",
        ),
        shapiro=report_file(
            f"{COMPARE_DIR}/shapiro.html",
            "compare_shapiro.rst",
            "compare",
            "Table 2 Shapiro-Wilk",
        ),
    log:
        f"{LOG_DIR}/tables/compare/{{nn_hyper}}/{{poly_hyper}}/{{group}}/seed~{{seed}}.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../../scripts/tables.py"


rule overview:
    input:
        metrics=rules.aggregate.output.metrics_parquet,
        summary=rules.aggregate.output.summary,
    output:
        overview=report_file(
            "results/summary/overview.png",
            "overview.rst",
            "overview",
            "Overview: test R2 and scaling law",
            ALL_GROUPS,
        ),
        summary=report_file(
            "results/summary/summary.html",
            "summary.rst",
            "overview",
            "Metrics over seeds",
            ALL_GROUPS,
        ),
    log:
        "results/summary/logs/overview.log",
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
        "../../scripts/overview.py"
