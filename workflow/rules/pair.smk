# Contrastive pairs of one scenario's points, one table per fold of the split, streamed to Parquet.


rule pair:
    input:
        points=rules.simulate.output.points,
    output:
        pairs=per_fold(f"{PAIRS_DIR}/pairs.parquet"),
        summary=per_fold(f"{PAIRS_DIR}/summary.json"),
        sides=per_fold(f"{PAIRS_DIR}/sides.parquet"),
    log:
        f"{LOG_DIR}/pair.log",
    benchmark:
        f"{LOG_DIR}/benchmarks/pair.tsv"
    priority: DATA_PRIORITY
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        pairs=PAIR_PARAMS,
        split=SPLIT_PARAMS,
    script:
        "../../scripts/pair.py"
