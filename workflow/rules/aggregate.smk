# Every fit's metrics in one tidy table, and mean +- sd over seeds.


localrules:
    aggregate,


rule aggregate:
    input:
        metrics=fit_metrics_files(),
    output:
        metrics_parquet="results/summary/metrics.parquet",
        metrics_csv="results/summary/metrics.csv",
        summary="results/summary/summary.csv",
    log:
        "results/summary/logs/aggregate.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/aggregate.py"
