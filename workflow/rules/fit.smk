# One job fits one model at one hyper-parameter point to every group and seed: the start-up of
# a job (importing torch) is paid once per batch, not once per fit.


rule fit:
    input:
        pairs=rules.pair.output.pairs,
    output:
        metrics=fit_outputs("metrics.json"),
        predictions=fit_outputs("predictions.parquet"),
        model=fit_outputs("model.pkl"),
    log:
        f"{LOG_DIR}/fit/{{model}}/{{hyper}}.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        settings=model_settings,
        groups=GROUPS,
        seeds=SEEDS,
    script:
        "../../scripts/fit.py"
