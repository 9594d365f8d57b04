"""Rule identifiability: what the data of a scenario identify, per model, group and parameter."""

import pandas as pd

from contrastive_gs import io

with io.job_log(snakemake.log[0]):
    io.write_csv(pd.DataFrame(snakemake.params.rows), snakemake.output.table)
