"""Rule aggregate_predictions: the cross-validated errors of every model and group in one table."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.write_cross_validation_table(
        snakemake.input.cross_validation, dict(snakemake.output.items())
    )
