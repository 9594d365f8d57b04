"""Rule overview: the one-page comparison of the models; the metrics and recovery tables as HTML."""

from contrastive_gs import io, overview, tables

with io.job_log(snakemake.log[0]):
    point, groups = snakemake.params.point, snakemake.params.groups
    metrics = io.read_parquet(snakemake.input.metrics)
    recovery_table = io.read_parquet(snakemake.input.recovery)
    recovery = overview.recovery_errors(recovery_table, point, groups)
    figure = overview.overview_figure(metrics, point, groups, snakemake.params.models, recovery)
    io.save_figure(figure, snakemake.output.overview)
    tables.write_table_html(snakemake.input.summary, snakemake.output.summary, kind="summary")
    tables.write_frame_html(recovery_table, snakemake.output.recovery, kind="recovery")
