"""Rule provenance: the resolved config, code and package versions and command of the run."""

import os

from contrastive_gs import io, provenance, steps

with io.job_log(snakemake.log[0]):
    steps.write_provenance(
        snakemake.config,
        os.environ.get(provenance.SOURCE_ENV, "unknown"),
        os.environ.get(provenance.COMMAND_ENV, "unknown"),
        dict(snakemake.output.items()),
    )
