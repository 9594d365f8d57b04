# The points of one scenario: simulated on the grid by the law, or read from a measured table.


rule simulate:
    input:
        measured=measured_data,
        queries=query_file,
    output:
        points=layout.POINTS,
        replicates=f"{SCENARIO_DIR}/data/replicates.csv",
        queries=f"{SCENARIO_DIR}/data/queries.parquet",
    log:
        f"{LOG_DIR}/simulate.log",
    benchmark:
        f"{LOG_DIR}/benchmarks/simulate.tsv"
    priority: DATA_PRIORITY
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        data=simulate_params,
        law=LAW_PARAMS,
        predict=PREDICT_PARAMS,
    script:
        "../../scripts/simulate.py"


localrules:
    identifiability,


# What the data identify depends on the points' grid (or the measured table), the models and the
# groups, never on a sweep scenario's parameters: one table for the run.
rule identifiability:
    output:
        table=f"{SUMMARY_DIR}/identifiability.csv",
        html=report_file(
            f"{SUMMARY_DIR}/identifiability.html",
            "identifiability.rst",
            "recovery",
            "Table: what the data identify",
        ),
    log:
        f"{SUMMARY_DIR}/logs/identifiability.log",
    benchmark:
        f"{SUMMARY_DIR}/logs/benchmarks/identifiability.tsv"
    priority: FOLLOW_UP_PRIORITY
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        rows=IDENTIFIABILITY,
    script:
        "../../scripts/identifiability.py"
