"""Rule compare: two models side by side, as the lecture compares its NN and polynomial."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    wildcards = snakemake.wildcards
    steps.compare_fits(
        [wildcards.model_a, wildcards.model_b],
        f"{wildcards.hyper_a} vs {wildcards.hyper_b}",
        dict(snakemake.input.items()),
        dict(snakemake.output.items()),
        snakemake.params.fits,
        point=", ".join(snakemake.wildcards),
    )
