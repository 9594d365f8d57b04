# The lecture's side-by-side diagnostics of the network and the polynomial, and its PCA: one job
# per (scenario, NN hyper-parameters, polynomial hyper-parameters), files per group and seed.


rule compare:
    input:
        unpack(compare_inputs),
    output:
        diagnostics=figure_outputs(COMPARE_DIR, "diagnostics.csv"),
        shapiro=figure_outputs(COMPARE_DIR, "shapiro.csv"),
        hist=report_files(
            figure_outputs(COMPARE_DIR, "hist.svg"),
            "compare_hist.rst",
            "compare",
            "Fig. 3 residual histogram",
        ),
        residuals_vs_predicted=report_files(
            figure_outputs(COMPARE_DIR, "residuals_vs_predicted.svg"),
            "compare_residuals_vs_predicted.rst",
            "compare",
            "Fig. 4 residuals vs predicted",
        ),
        qq=report_files(
            figure_outputs(COMPARE_DIR, "qq.svg"),
            "compare_qq.rst",
            "compare",
            "Fig. 5 QQ plot",
        ),
        nn_vs_poly=report_files(
            figure_outputs(COMPARE_DIR, "nn_vs_poly.svg"),
            "nn_vs_poly.rst",
            "compare",
            "Fig. 6 NN vs poly",
        ),
    log:
        f"{LOG_DIR}/compare/{{nn_hyper}}/{{poly_hyper}}.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../../scripts/compare.py"


rule pca:
    input:
        pairs=rules.pair.output.pairs,
    output:
        figures=report_files(
            expand_only(
                f"{SCENARIO_DIR}/compare/pca/{{group}}.svg", group=FIGURE_GROUPS
            ),
            "pca.rst",
            "pca",
            "Fig. 8 PCA of contrastive features",
        ),
    log:
        f"{LOG_DIR}/pca.log",
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
