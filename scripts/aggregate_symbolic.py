"""Rule aggregate_symbolic: every symbolic fit in one tidy table, and per group how often the
law's form was found."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.write_symbolic_tables(snakemake.input.tables, dict(snakemake.output.items()))
