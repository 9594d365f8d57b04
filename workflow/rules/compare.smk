# The lecture's side-by-side diagnostics of the network and the polynomial, and its PCA.


rule compare:
    input:
        unpack(compare_inputs),
    output:
        diagnostics=f"{COMPARE_DIR}/diagnostics.csv",
        shapiro=f"{COMPARE_DIR}/shapiro.csv",
        hist=f"{COMPARE_DIR}/hist.svg",
        residuals_vs_predicted=f"{COMPARE_DIR}/residuals_vs_predicted.svg",
        qq=f"{COMPARE_DIR}/qq.svg",
        nn_vs_poly=f"{COMPARE_DIR}/nn_vs_poly.svg",
    log:
        f"{LOG_DIR}/compare/{{nn_hyper}}/{{poly_hyper}}/{{group}}/seed~{{seed}}.log",
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
        figures=expand_only(
            f"{SCENARIO_DIR}/compare/pca/{{group}}.svg", group=FIGURE_GROUPS
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
