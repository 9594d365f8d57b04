# The lecture's side-by-side diagnostics of two models (config compare: its NN and polynomial),
# and its PCA: one job per (scenario, hyper-parameters of each model), files per group, fold
# and seed, its tables also as HTML pages for the report; beside the PCA, the PCoA of the pairs that the lecture suggests (config pcoa).


rule compare:
    input:
        unpack(compare_inputs),
    output:
        diagnostics=per_fit(COMPARE_DIR, "diagnostics.csv", FIGURE_FITS),
        shapiro=per_fit(COMPARE_DIR, "shapiro.csv", FIGURE_FITS),
        diagnostics_html=report_fit_files(
            COMPARE_DIR,
            "diagnostics.html",
            "compare_diagnostics.rst",
            "compare",
            "Table 1 diagnostics",
        ),
        shapiro_html=report_fit_files(
            COMPARE_DIR,
            "shapiro.html",
            "compare_shapiro.rst",
            "compare",
            "Table 2 Shapiro-Wilk",
        ),
        hist=report_fit_files(
            COMPARE_DIR,
            "hist.svg",
            "compare_hist.rst",
            "compare",
            "Fig. 3 residual histogram",
        ),
        residuals_vs_predicted=report_fit_files(
            COMPARE_DIR,
            "residuals_vs_predicted.svg",
            "compare_residuals_vs_predicted.rst",
            "compare",
            "Fig. 4 residuals vs predicted",
        ),
        qq=report_fit_files(
            COMPARE_DIR, "qq.svg", "compare_qq.rst", "compare", "Fig. 5 QQ plot"
        ),
        model_vs_model=report_fit_files(
            COMPARE_DIR,
            "model_vs_model.svg",
            "model_vs_model.rst",
            "compare",
            "Fig. 6 model vs model",
        ),
    log:
        f"{LOG_DIR}/compare/{{model_a}}/{{hyper_a}}/{{model_b}}/{{hyper_b}}.log",
    benchmark:
        f"{LOG_DIR}/benchmarks/compare/{{model_a}}/{{hyper_a}}/{{model_b}}/{{hyper_b}}.tsv"
    priority: FOLLOW_UP_PRIORITY
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        fits=FIGURE_FITS,
    script:
        "../../scripts/compare.py"


rule pca:
    input:
        pairs=f"{PAIRS_DIR}/pairs.parquet",
    output:
        figures=report_group_files(
            layout.PCA_FIGURE,
            FIGURE_GROUPS,
            "pca.rst",
            "pca",
            "Fig. 8 PCA of contrastive features",
        ),
    log:
        f"{LOG_DIR}/pca/fold~{{fold}}.log",
    benchmark:
        f"{LOG_DIR}/benchmarks/pca/fold~{{fold}}.tsv"
    priority: PAIR_FIGURE_PRIORITY
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        groups=FIGURE_GROUPS,
    script:
        "../../scripts/pca.py"


rule pcoa:
    input:
        pairs=f"{PAIRS_DIR}/pairs.parquet",
    output:
        figures=report_group_files(
            layout.PCOA_FIGURE,
            FIGURE_GROUPS,
            "pcoa.rst",
            "pca",
            "PCoA of ln(1 + distance) between pairs",
        ),
    log:
        f"{LOG_DIR}/pcoa/fold~{{fold}}.log",
    benchmark:
        f"{LOG_DIR}/benchmarks/pcoa/fold~{{fold}}.tsv"
    priority: PAIR_FIGURE_PRIORITY
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        groups=FIGURE_GROUPS,
        pcoa=cgs_config.canonical(config["pcoa"]),
    script:
        "../../scripts/pcoa.py"
