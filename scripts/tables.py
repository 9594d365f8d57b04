"""Rules fit_tables, compare_tables: the CSV tables of one fit or comparison as HTML pages."""

from contrastive_gs import io, tables

with io.job_log(snakemake.log[0]):
    subtitle = ", ".join(f"{key} {value}" for key, value in snakemake.wildcards.items())
    for name, csv in snakemake.input.items():
        tables.write_table_html(csv, snakemake.output[name], kind=name, subtitle=subtitle)
