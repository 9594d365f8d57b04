"""Rule aggregate_recovery: every recovered scaling law in one tidy table."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.write_recovery_tables(snakemake.input.laws, dict(snakemake.output.items()))
