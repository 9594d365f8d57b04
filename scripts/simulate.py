"""Rule simulate: points of the scaling law on the configured grid."""

from contrastive_gs import config, data, io

with io.job_log(snakemake.log[0]) as log:
    params = snakemake.params.data
    settings = data.settings_from_params(params, config.resolve_polymers(params["polymers"]))
    points = data.simulate(settings)
    log.info("simulated %d points for %d polymers", len(points), len(settings.polymers))
    io.write_parquet(points, snakemake.output.points)
