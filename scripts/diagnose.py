"""Rule diagnose: the figures and tables of one fitted (scenario, model, hyper) point: the
lecture's diagnostics of each fit that gets figures, and per figure group alpha against T - Tg
and measured against predicted D."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps
from contrastive_gs.laws import build_law
from contrastive_gs.polymers import Polymer

with io.job_log(snakemake.log[0]):
    inputs, outputs, params, wildcards = (
        snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards
    )  # fmt: skip
    title = f"{wildcards.model} {wildcards.hyper}"
    steps.diagnose_fits(
        wildcards.model,
        wildcards.hyper,
        {name: inputs[name] for name in ("predictions", "metrics")},
        {name: outputs[name] for name in steps.DIAGNOSE_OUTPUTS},
        params.fits,
        point=", ".join(wildcards),
    )
    steps.recovery_figures(
        inputs.alpha,
        params.groups,
        build_law(params.law["name"], params.law["constants"]),
        params.truth,
        [Polymer(**polymer) for polymer in params.polymers],
        title=title,
        outputs=outputs.alpha_figures,
    )
    steps.predict_figures(
        inputs.points, params.group_fits, params.groups, title, outputs.prediction_figures
    )
