# The figures and tables of one (scenario, model, hyper-parameters) point of the figure scenarios
# (config: figures), in one job: the lecture's residual diagnostics of each fit that gets figures,
# one file of each kind per group, fold and seed, their tables as CSV and as HTML pages for the
# report (which shows HTML inline but offers CSV only as a download); and per figure group, with
# every fold and seed, the alpha each fit implies against T - Tg (scaling-law recovery) and the
# measured against predicted D.


rule diagnose:
    input:
        predictions=figure_fit_files("predictions.parquet"),
        metrics=figure_fit_files("metrics.json"),
        alpha=per_fit(FIT_DIR, "alpha.parquet", GROUP_FIGURE_FITS),
        points=per_fit(FIT_DIR, "point_predictions.parquet", GROUP_FIGURE_FITS),
        cross_validation=prediction_tables("cross_validation.csv"),
        group_predictions=prediction_tables("predictions.csv"),
    output:
        predicted_vs_true=report_fit_files(
            FIT_DIR,
            "predicted_vs_true.svg",
            "fit_predicted_vs_true.rst",
            "fits",
            "Fig. 1-2 predicted vs true",
        ),
        hist=report_fit_files(
            FIT_DIR, "hist.svg", "fit_hist.rst", "fits", "Fig. 3 residual histogram"
        ),
        residuals_vs_predicted=report_fit_files(
            FIT_DIR,
            "residuals_vs_predicted.svg",
            "fit_residuals_vs_predicted.rst",
            "fits",
            "Fig. 4 residuals vs predicted",
        ),
        qq=report_fit_files(FIT_DIR, "qq.svg", "fit_qq.rst", "fits", "Fig. 5 QQ plot"),
        residual_stats=per_fit(FIT_DIR, "residual_stats.csv", FIGURE_FITS),
        shapiro=per_fit(FIT_DIR, "shapiro.csv", FIGURE_FITS),
        residual_stats_html=report_fit_files(
            FIT_DIR,
            "residual_stats.html",
            "fit_residual_stats.rst",
            "fits",
            "Table 1 diagnostics",
        ),
        shapiro_html=report_fit_files(
            FIT_DIR, "shapiro.html", "fit_shapiro.rst", "fits", "Table 2 Shapiro-Wilk"
        ),
        alpha_figures=report_group_files(
            f"{GROUP_DIR}/alpha_vs_T.svg",
            FIGURE_GROUPS,
            "recovery_alpha_vs_T.rst",
            "recovery",
            "alpha vs T - Tg",
        ),
        prediction_figures=report_group_files(
            f"{GROUP_DIR}/measured_vs_predicted.svg",
            FIGURE_GROUPS,
            "measured_vs_predicted.rst",
            "prediction",
            "measured vs predicted D",
        ),
    log:
        f"{LOG_DIR}/diagnose/{{model}}/{{hyper}}.log",
    benchmark:
        f"{LOG_DIR}/benchmarks/diagnose/{{model}}/{{hyper}}.tsv"
    priority: FOLLOW_UP_PRIORITY
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=20,
    params:
        fits=FIGURE_FITS,
        group_fits=GROUP_FIGURE_FITS,
        groups=FIGURE_GROUPS,
        law=LAW_PARAMS,
        truth=scaling_law_truth,
        polymers=POLYMER_PARAMS,
    script:
        "../../scripts/diagnose.py"
