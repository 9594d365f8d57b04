"""Rule identifiability: what the data of a scenario identify, per model, group and parameter."""

from contrastive_gs.warm_worker import hand_over

hand_over(snakemake, __file__)  # where the run has a warm worker, the job runs there

import pandas as pd

from contrastive_gs import io, tables

with io.job_log(snakemake.log[0]):
    table = pd.DataFrame(snakemake.params.rows)[["model", "group", "parameter", "status"]]
    io.write_csv(table, snakemake.output.table)
    tables.write_frame_html(table, snakemake.output.html, kind="identifiability")
