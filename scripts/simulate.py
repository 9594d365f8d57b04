"""Rule simulate: the points of one scenario, simulated on the grid or read from a data file."""

from contrastive_gs import config, data, io
from contrastive_gs.laws import law_from_config

with io.job_log(snakemake.log[0]) as log:
    params = snakemake.params.data
    polymers = [] if params["source"] == "file" else config.resolve_polymers(params["polymers"])
    points = data.load_points(params, polymers, law_from_config(snakemake.params.law, params))
    log.info(
        "%d points of %d polymers (%s)", len(points), points["Polymer"].nunique(), params["source"]
    )
    io.write_parquet(points, snakemake.output.points)
