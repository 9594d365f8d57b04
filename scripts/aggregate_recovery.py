"""Rule aggregate_recovery: every recovered scaling law in one tidy table."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    table = steps.recovery_table(snakemake.input.laws)
    io.write_parquet(table, snakemake.output.parquet)
    io.write_csv(table, snakemake.output.csv)
