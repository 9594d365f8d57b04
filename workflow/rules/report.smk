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
        residual_stats=figure_outputs(FIT_DIR, "residual_stats.csv"),
        shapiro=figure_outputs(FIT_DIR, "shapiro.csv"),
    output:
        residual_stats=report_files(
            figure_outputs(FIT_DIR, "residual_stats.html"),
            "fit_residual_stats.rst",
            "fits",
            "Table 1 diagnostics",
        ),
        shapiro=report_files(
            figure_outputs(FIT_DIR, "shapiro.html"),
            "fit_shapiro.rst",
            "fits",
            "Table 2 Shapiro-Wilk",
        ),
    log:
        f"{LOG_DIR}/tables/fits/{{model}}/{{hyper}}.log",
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
        diagnostics=figure_outputs(COMPARE_DIR, "diagnostics.csv"),
        shapiro=figure_outputs(COMPARE_DIR, "shapiro.csv"),
    output:
        diagnostics=report_files(
            figure_outputs(COMPARE_DIR, "diagnostics.html"),
            "compare_diagnostics.rst",
            "compare",
            "Table 1 diagnostics",
        ),
        shapiro=report_files(
            figure_outputs(COMPARE_DIR, "shapiro.html"),
            "compare_shapiro.rst",
            "compare",
            "Table 2 Shapiro-Wilk",
        ),
    log:
        f"{LOG_DIR}/tables/compare/{{nn_hyper}}/{{poly_hyper}}.log",
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
        recovery=rules.aggregate_recovery.output.parquet,
    output:
        overview=report_file(
            "results/summary/overview.png",
            "overview.rst",
            "overview",
            "Overview of the models",
            ALL_GROUPS,
        ),
        summary=report_file(
            "results/summary/summary.html",
            "summary.rst",
            "overview",
            "Metrics over seeds",
            ALL_GROUPS,
        ),
        recovery=report_file(
            "results/summary/recovery.html",
            "recovery_table.rst",
            "recovery",
            "Table: recovered scaling law",
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
