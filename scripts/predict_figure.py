"""Rule predict_figure: per group, the figure of measured against predicted D."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.predict_figures(
        snakemake.input.points,
        snakemake.params.fits,
        snakemake.params.groups,
        f"{snakemake.wildcards.model} {snakemake.wildcards.hyper}",
        snakemake.output.figure,
    )
