"""Rule symbolic: per group, the closed form of alpha(T - Tg) that symbolic regression finds
for each fit, compared with the law's form; a table and a figure."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps
from contrastive_gs.laws import build_law
from contrastive_gs.polymers import Polymer

with io.job_log(snakemake.log[0]):
    params, wildcards = snakemake.params, snakemake.wildcards
    steps.symbolic_fits(
        {"alpha": snakemake.input.alpha, "model": snakemake.input.model},
        params.fits,
        params.groups,
        wildcards.model,
        params.settings,
        build_law(params.law["name"], params.law["constants"]),
        params.truth,
        [Polymer(**polymer) for polymer in params.polymers],
        title=f"{wildcards.model} {wildcards.hyper}",
        outputs={name: snakemake.output[name] for name in ("table", "html", "figure")},
    )
