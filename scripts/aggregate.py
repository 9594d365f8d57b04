"""Rule aggregate: every fit's metrics in one tidy table, and mean +- sd over seeds."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    metrics = steps.metrics_table(snakemake.input.metrics)
    io.write_parquet(metrics, snakemake.output.metrics_parquet)
    io.write_csv(metrics, snakemake.output.metrics_csv)
    io.write_csv(steps.seed_summary(metrics), snakemake.output.summary)
