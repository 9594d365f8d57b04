# The lecture's side-by-side diagnostics of the network and the polynomial, and its PCA: one job
# per (scenario, NN hyper-parameters, polynomial hyper-parameters), files per group and seed.


rule compare:
    input:
        unpack(compare_inputs),
    output:
        diagnostics=figure_outputs(COMPARE_DIR, "diagnostics.csv"),
        shapiro=figure_outputs(COMPARE_DIR, "shapiro.csv"),
        hist=figure_outputs(COMPARE_DIR, "hist.svg"),
        residuals_vs_predicted=figure_outputs(COMPARE_DIR, "residuals_vs_predicted.svg"),
        qq=figure_outputs(COMPARE_DIR, "qq.svg"),
        nn_vs_poly=figure_outputs(COMPARE_DIR, "nn_vs_poly.svg"),
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
