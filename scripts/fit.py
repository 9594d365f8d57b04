"""Rule fit: one model at one hyper-parameter point, fitted to every group, fold and seed; the
alpha each fit implies at every point of its group, and the scaling law fitted to that alpha."""

from contrastive_gs import io, steps
from contrastive_gs.families import family_from_config
from contrastive_gs.laws import law_from_config
from contrastive_gs.polymers import Polymer

with io.job_log(snakemake.log[0]):
    params = snakemake.params
    law = law_from_config(params.law["name"], params.law["constants"])
    steps.fit_point(
        snakemake.input.points,
        dict(zip(params.folds, snakemake.input.pairs, strict=True)),
        family_from_config(snakemake.wildcards.model, params.settings, law),
        params.fits,
        {name: snakemake.output[name] for name in snakemake.output.keys()},
        params.truth,
        [Polymer(**polymer) for polymer in params.polymers],
        threads=snakemake.threads,
    )
