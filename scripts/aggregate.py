"""Rule aggregate: every fit's metrics in one tidy table, and mean +- sd over seeds."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.write_summary_tables(snakemake.input.metrics, dict(snakemake.output.items()))
