"""Rule recover: per group, the alpha each fit implies against T - Tg, every seed overlaid."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.recovery_figures(
        snakemake.input.alpha,
        snakemake.params.groups,
        snakemake.params.truth,
        snakemake.params.r_glassy,
        title=f"{snakemake.wildcards.model} {snakemake.wildcards.hyper}",
        outputs=snakemake.output.figures,
    )
