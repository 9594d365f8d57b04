"""Rule fit: one model at one hyper-parameter point, fitted to every group, fold and seed; the
alpha each fit implies at every point of its group, the scaling law of each fit, and its
anchored predictions of ln D."""

from contrastive_gs import io, steps
from contrastive_gs.families import family_from_config
from contrastive_gs.laws import build_law
from contrastive_gs.polymers import Polymer

with io.job_log(snakemake.log[0]):
    params, inputs = snakemake.params, snakemake.input
    law = build_law(params.law["name"], params.law["constants"])
    steps.fit_point(
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
        {name: snakemake.output[name] for name in snakemake.output.keys()},
        params.truth,
        [Polymer(**polymer) for polymer in params.polymers],
        queries_path=inputs.queries,
        threads=snakemake.threads,
        device=params.device,
    )
