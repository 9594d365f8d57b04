"""Rule predict_figure: per group, the figure of measured against predicted D."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.predict_figures(
        snakemake.input.points,
        snakemake.params.fits,
        snakemake.params.groups,
        f"{snakemake.wildcards.model} {snakemake.wildcards.hyper}",
        snakemake.output.figure,
    )
