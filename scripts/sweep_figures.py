"""Rule sweep_figures: test R2 against the swept keys, at the reference point of the others."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.sweep_figures(
        snakemake.input.metrics,
        snakemake.params.point,
        snakemake.params.groups,
        snakemake.params.models,
        snakemake.output,
    )
