# The points of one scenario: simulated on the grid by the law, or read from a measured table.


rule simulate:
    input:
        measured=measured_data,
    output:
        points=layout.POINTS,
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
        law=config["law"],
    script:
        "../../scripts/simulate.py"
