rule pair:
    input:
        points=rules.simulate.output.points,
    output:
        pairs=f"{SCENARIO_DIR}/pairs/pairs.parquet",
        summary=f"{SCENARIO_DIR}/pairs/summary.json",
    params:
        pairs=config["pairs"],
    log:
        f"{LOG_DIR}/pair.log",
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        CONDA_ENV
    script:
        "../../scripts/pair.py"
