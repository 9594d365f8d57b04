"""Rule compare: the network and the polynomial side by side, as in the lecture."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    w = snakemake.wildcards
    steps.compare_models(
        predictions_files={
            "nn": snakemake.input.nn_predictions,
            "poly": snakemake.input.poly_predictions,
        },
        metrics_files={"nn": snakemake.input.nn_metrics, "poly": snakemake.input.poly_metrics},
        title=f"{w.nn_hyper} vs {w.poly_hyper}, {w.group}, seed {w.seed}",
        outputs=snakemake.output,
    )
