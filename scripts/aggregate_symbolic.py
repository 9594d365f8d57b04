"""Rule aggregate_symbolic: every symbolic fit in one tidy table, and per group how often the
law's form was found."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.write_symbolic_tables(snakemake.input.tables, dict(snakemake.output.items()))
