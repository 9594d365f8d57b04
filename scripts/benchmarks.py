"""Rule benchmarks: every job's benchmark in one table, the cost per rule and its figure."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    steps.write_run_costs(
        snakemake.input.benchmarks,
        snakemake.input.logs,
        snakemake.params.jobs,
        snakemake.params.local_rules,
        dict(snakemake.output.items()),
    )
