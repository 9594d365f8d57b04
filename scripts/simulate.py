"""Rule simulate: the points of one scenario, simulated on the grid or read from a data file; the
spread of their replicates; the query points of the config's predict section."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

from contrastive_gs import io, steps
from contrastive_gs.laws import build_law

with io.job_log(snakemake.log[0]):
    params = snakemake.params
    steps.make_points(
        params.data,
        build_law(params.law["name"], params.law["constants"]),
        params.predict,
        dict(snakemake.output.items()),
    )
