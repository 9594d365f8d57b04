"""Rule predict: per group, the cross-validated predictions of D with their bands and the query
points' D."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.predict_groups(
        steps.read_point_tables(snakemake.input.points, snakemake.params.fits),
        snakemake.params.groups,
        f"{snakemake.wildcards.model} {snakemake.wildcards.hyper}",
        dict(snakemake.output.items()),
    )
