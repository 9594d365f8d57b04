rule pair:
    input:
        points=rules.simulate.output.points,
    output:
        pairs=f"{SCENARIO_DIR}/pairs/pairs.parquet",
        summary=f"{SCENARIO_DIR}/pairs/summary.json",
    log:
        f"{LOG_DIR}/pair.log",
    conda:
        CONDA_ENV
    priority: DATA_PRIORITY
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        pairs=config["pairs"],
    script:
        "../../scripts/pair.py"
