"""Rule fit: one model at one hyper-parameter point, fitted to every group, fold and seed; the
alpha each fit implies at every point of its group, the scaling law of each fit, and its
anchored predictions of ln D; with batch: point, the point's prediction tables (rule predict's)."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps
from contrastive_gs.families import family_from_config
from contrastive_gs.laws import build_law
from contrastive_gs.polymers import Polymer

with io.job_log(snakemake.log[0]):
    params, inputs, outputs = snakemake.params, snakemake.input, snakemake.output
    law = build_law(params.law["name"], params.law["constants"])
    point_tables = steps.fit_point(
        inputs.points,
        dict(
            zip(
                params.folds,
                zip(inputs.pairs, inputs.sides, inputs.summaries, strict=True),
                strict=True,
            )
        ),  # fmt: skip
        family_from_config(snakemake.wildcards.model, params.settings, law),
        params.fits,
        {name: outputs[name] for name in steps.FIT_OUTPUTS},
        params.truth,
        [Polymer(**polymer) for polymer in params.polymers],
        queries_path=inputs.queries,
        threads=snakemake.threads,
        device=params.device,
    )
    if outputs.group_cross_validation:  # batch: point: this job holds every fit of its point
        steps.predict_groups(
            point_tables,
            params.groups,
            f"{snakemake.wildcards.model} {snakemake.wildcards.hyper}",
            {
                "cross_validation": outputs.group_cross_validation,
                "predictions": outputs.group_predictions,
            },
        )
