"""Rule pca: PCA of the contrastive features of each group."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.pca_figures(snakemake.input.pairs, snakemake.params.groups, snakemake.output.figures)
