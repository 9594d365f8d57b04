rule simulate:
    output:
        points=f"{SCENARIO_DIR}/data/points.parquet",
    params:
        data=simulate_params,
    log:
        f"{LOG_DIR}/simulate.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../../scripts/simulate.py"
