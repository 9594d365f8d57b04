"""Rule overview: the one-page comparison of the models; the metrics and recovery tables as HTML."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps
from contrastive_gs.laws import build_law

with io.job_log(snakemake.log[0]):
    params = snakemake.params
    steps.overview(
        dict(snakemake.input.items()),
        params.point,
        params.groups,
        params.models,
        build_law(params.law["name"], params.law["constants"]),
        dict(snakemake.output.items()),
    )
