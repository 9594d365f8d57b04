# By default (batch: point) one job fits one model at one hyper-parameter point to every group,
# fold and seed: the start-up of a job (importing torch, ~2 s) is paid once per point, not once
# per fit.  Such a job also writes the point's prediction tables (rule predict with batch: fit).


rule fit:
    input:
        points=rules.simulate.output.points,
        pairs=fit_job_fold_files("pairs.parquet"),
        sides=fit_job_fold_files("sides.parquet"),
        summaries=fit_job_fold_files("summary.json"),
        queries=rules.simulate.output.queries,
    output:
        metrics=fit_job_outputs("metrics.json"),
        predictions=fit_job_outputs("predictions.parquet"),
        model=fit_job_outputs("model.pkl"),
        alpha=fit_job_outputs("alpha.parquet"),
        scaling_law=fit_job_outputs("scaling_law.json"),
        points=fit_job_outputs("point_predictions.parquet"),
        group_cross_validation=fit_job_prediction_tables("cross_validation.csv"),
        group_predictions=fit_job_prediction_tables("predictions.csv"),
    log:
        f"{FIT_LOG}.log",
    benchmark:
        f"{FIT_LOG}.benchmark.tsv"
    priority: fit_priority
    conda:
        CONDA_ENV
    threads: 1  # tiny networks: one thread each, as many jobs as cores
    resources:
        mem_mb=2000,
        runtime=60,
        gpu=fit_gpus,
    params:
        settings=model_settings,
        device=fit_device,
        law=LAW_PARAMS,
        fits=fit_job_fits,
        folds=fit_job_folds,
        truth=scaling_law_truth,
        polymers=POLYMER_PARAMS,
        groups=GROUPS,
    script:
        "../../scripts/fit.py"
