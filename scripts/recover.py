"""Rule recover: the scaling law fitted to the alpha each fit implies, per group over seeds."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.recover_scaling_law(
        snakemake.input.alpha,
        snakemake.params.groups,
        snakemake.params.truth,
        snakemake.params.r_glassy,
        title=f"{snakemake.wildcards.model} {snakemake.wildcards.hyper}",
        outputs=snakemake.output,
    )
