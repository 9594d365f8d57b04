"""Rules fit_tables, compare_tables: the CSV tables of each fit or comparison as HTML pages."""

from contrastive_gs import io, tables

with io.job_log(snakemake.log[0]):
    inputs = io.fit_output_paths(snakemake.input)
    point = ", ".join(snakemake.wildcards)
    for (group, seed), outputs in io.fit_output_paths(snakemake.output).items():
        for name, html in outputs.items():
            subtitle = f"{point}, group {group}, seed {seed}"
            tables.write_table_html(inputs[group, seed][name], html, kind=name, subtitle=subtitle)
