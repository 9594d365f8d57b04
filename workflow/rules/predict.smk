# Predictions of D: per (scenario, model, hyper), the cross-validated predictions of the held-out
# points with their bands and the query points' D (config predict), per group (written by the
# fit job with batch: point, by rule predict with batch: fit; at the figure scenarios, rule
# diagnose draws measured against predicted D); aggregate_predictions tables the cross-validated
# errors.


if not FIT_BATCHED:  # with batch: point, the fit job writes these tables

    rule predict:
        input:
            points=per_fit(FIT_DIR, "point_predictions.parquet", ALL_FITS),
        output:
            cross_validation=prediction_tables("cross_validation.csv"),
            predictions=prediction_tables("predictions.csv"),
        log:
            f"{LOG_DIR}/predict/{{model}}/{{hyper}}.log",
        benchmark:
            f"{LOG_DIR}/benchmarks/predict/{{model}}/{{hyper}}.tsv"
        priority: FOLLOW_UP_PRIORITY
        conda:
            CONDA_ENV
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            fits=ALL_FITS,
            groups=GROUPS,
        script:
            "../../scripts/predict.py"


localrules:
    aggregate_predictions,


rule aggregate_predictions:
    input:
        cross_validation=all_group_files(f"{GROUP_DIR}/cross_validation.csv"),
    output:
        parquet=f"{SUMMARY_DIR}/cross_validation.parquet",
        csv=f"{SUMMARY_DIR}/cross_validation.csv",
    log:
        f"{SUMMARY_DIR}/logs/aggregate_predictions.log",
    benchmark:
        f"{SUMMARY_DIR}/logs/benchmarks/aggregate_predictions.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/aggregate_predictions.py"
