# Closed-form recovery of the law (config symbolic, off by default): per (scenario, model,
# hyper) of the symbolic models, a symbolic regression of each fit's alpha on T - Tg, its form
# compared with the law's, as a table and a figure per group; aggregate_symbolic gathers them
# and counts over seeds how often the law's form was found.


rule symbolic:
    input:
        alpha=per_fit(FIT_DIR, "alpha.parquet", ALL_FITS),
        model=per_fit(FIT_DIR, "model.pkl", ALL_FITS),
    output:
        table=[fill(layout.SYMBOLIC_TABLE, group=group) for group in GROUPS],
        html=report_group_files(
            layout.SYMBOLIC_HTML,
            GROUPS,
            "symbolic_table.rst",
            "recovery",
            "symbolic regression: expressions",
        ),
        figure=report_group_files(
            layout.SYMBOLIC_FIGURE,
            GROUPS,
            "symbolic_alpha.rst",
            "recovery",
            "symbolic regression: alpha vs T - Tg",
        ),
    log:
        f"{LOG_DIR}/symbolic/{{model}}/{{hyper}}.log",
    benchmark:
        f"{LOG_DIR}/benchmarks/symbolic/{{model}}/{{hyper}}.tsv"
    priority: FOLLOW_UP_PRIORITY
    conda:
        CONDA_ENV
    threads: 1  # pyoperon runs with n_threads=1
    resources:
        mem_mb=1500,
        runtime=30,
    params:
        fits=ALL_FITS,
        groups=GROUPS,
        settings=cgs_config.canonical(cgs_config.symbolic_settings(config)),
        law=LAW_PARAMS,
        truth=scaling_law_truth,
        polymers=POLYMER_PARAMS,
    script:
        "../../scripts/symbolic.py"


localrules:
    aggregate_symbolic,


rule aggregate_symbolic:
    input:
        tables=all_group_files(layout.SYMBOLIC_TABLE, SYMBOLIC_MODELS),
    output:
        parquet=layout.SYMBOLIC_FITS_PARQUET,
        csv=layout.SYMBOLIC_FITS_CSV,
        summary=layout.SYMBOLIC_SUMMARY_CSV,
        html=report_file(
            layout.SYMBOLIC_SUMMARY_HTML,
            "symbolic_summary.rst",
            "recovery",
            "Table: symbolic regression over seeds",
        ),
    log:
        f"{SUMMARY_DIR}/logs/aggregate_symbolic.log",
    benchmark:
        f"{SUMMARY_DIR}/logs/benchmarks/aggregate_symbolic.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/aggregate_symbolic.py"
