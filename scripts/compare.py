"""Rule compare: two models side by side, as the lecture compares its NN and polynomial."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    wildcards = snakemake.wildcards
    steps.compare_fits(
        [wildcards.model_a, wildcards.model_b],
        f"{wildcards.hyper_a} vs {wildcards.hyper_b}",
        dict(snakemake.input.items()),
        dict(snakemake.output.items()),
        snakemake.params.fits,
    )
