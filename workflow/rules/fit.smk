# By default (batch: point) one job fits one model at one hyper-parameter point to every group and
# seed: the start-up of a job (importing torch, ~2 s) is paid once per point, not once per fit.


rule fit:
    input:
        points=rules.simulate.output.points,
        pairs=rules.pair.output.pairs,
    output:
        metrics=fit_job_outputs("metrics.json"),
        predictions=fit_job_outputs("predictions.parquet"),
        model=fit_job_outputs("model.pkl"),
        alpha=fit_job_outputs("alpha.parquet"),
        scaling_law=fit_job_outputs("scaling_law.json"),
    log:
        f"{FIT_LOG}.log",
    conda:
        CONDA_ENV
    priority: fit_priority
    threads: 1  # tiny networks: one thread each, as many jobs as cores
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        settings=model_settings,
        M0=config["data"]["M0"],
        groups=fit_job_groups,
        seeds=fit_job_seeds,
        truth=scaling_law_truth,
        r_glassy=R_GLASSY,
    script:
        "../../scripts/fit.py"
