"""Rule pair: contrastive pairs of the points, one table per fold of the split, streamed to
Parquet, with the side of every point in each fold."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.make_pairs(
        snakemake.input.points,
        snakemake.params.pairs,
        snakemake.params.split,
        dict(snakemake.output.items()),
    )
