"""Rule overview: the one-page comparison of the models, and the metrics summary as HTML."""

from contrastive_gs import io, overview, tables

with io.job_log(snakemake.log[0]):
    metrics = io.read_parquet(snakemake.input.metrics)
    figure = overview.overview_figure(
        metrics, snakemake.params.point, snakemake.params.groups, snakemake.params.models
    )
    io.save_figure(figure, snakemake.output.overview)
    tables.write_table_html(snakemake.input.summary, snakemake.output.summary, kind="summary")
