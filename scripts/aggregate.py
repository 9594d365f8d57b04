"""Rule aggregate: every fit's metrics in one tidy table, and mean +- sd over seeds."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.write_summary_tables(snakemake.input.metrics, dict(snakemake.output.items()))
