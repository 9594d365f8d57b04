"""Rules fit_tables, compare_tables: the CSV tables of each fit or comparison as HTML pages."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.write_tables_html(
        dict(snakemake.input.items()),
        dict(snakemake.output.items()),
        snakemake.params.fits,
        point=", ".join(snakemake.wildcards),
    )
