"""Rule provenance: the resolved config, code and package versions and command of the run."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

import os

from contrastive_gs import io, provenance, steps

with io.job_log(snakemake.log[0]):
    steps.write_provenance(
        snakemake.config,
        os.environ.get(provenance.SOURCE_ENV, "unknown"),
        os.environ.get(provenance.COMMAND_ENV, "unknown"),
        dict(snakemake.output.items()),
    )
