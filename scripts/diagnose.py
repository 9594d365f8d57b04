"""Rule diagnose: the lecture's figures and tables of each fit that gets figures."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.diagnose_fits(
        snakemake.wildcards.model,
        snakemake.wildcards.hyper,
        dict(snakemake.input.items()),
        dict(snakemake.output.items()),
        snakemake.params.fits,
        point=", ".join(snakemake.wildcards),
    )
