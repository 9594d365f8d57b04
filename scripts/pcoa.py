"""Rule pcoa: PCoA of ln(1 + distance) between the contrastive features of each group's pairs."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    params = snakemake.params
    steps.pcoa_figures(
        snakemake.input.pairs,
        params.groups,
        params.pcoa["max_pairs"],
        params.pcoa["seed"],
        snakemake.output.figures,
    )
