"""Rule diagnose: the lecture's figures and tables of each fit that gets figures."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    inputs = io.fit_output_paths(snakemake.input)
    for (group, seed), outputs in io.fit_output_paths(snakemake.output).items():
        title = f"{snakemake.wildcards.hyper}, {group}, seed {seed}"
        steps.diagnose_fit(snakemake.wildcards.model, title, inputs[group, seed], outputs)
