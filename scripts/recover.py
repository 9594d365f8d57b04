"""Rule recover: per group, the alpha each fit implies against T - Tg, every seed overlaid."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps
from contrastive_gs.laws import build_law
from contrastive_gs.polymers import Polymer

with io.job_log(snakemake.log[0]):
    params = snakemake.params
    steps.recovery_figures(
        snakemake.input.alpha,
        params.groups,
        build_law(params.law["name"], params.law["constants"]),
        params.truth,
        [Polymer(**polymer) for polymer in params.polymers],
        title=f"{snakemake.wildcards.model} {snakemake.wildcards.hyper}",
        outputs=snakemake.output.figures,
    )
