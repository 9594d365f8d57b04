rule simulate:
    input:
        measured=measured_data,
    output:
        points=f"{SCENARIO_DIR}/data/points.parquet",
    log:
        f"{LOG_DIR}/simulate.log",
    conda:
        CONDA_ENV
    priority: DATA_PRIORITY
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        data=simulate_params,
    script:
        "../../scripts/simulate.py"
