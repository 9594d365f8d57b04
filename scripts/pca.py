"""Rule pca: PCA of the contrastive features of each group."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.pca_figures(snakemake.input.pairs, snakemake.params.groups, snakemake.output.figures)
