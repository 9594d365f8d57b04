"""Rule fit: one model at one hyper-parameter point, fitted to every group and seed."""

from contrastive_gs import fit, io

with io.job_log(snakemake.log[0]):
    pairs = io.read_parquet(snakemake.input.pairs)
    model_name = snakemake.wildcards.model
    settings = fit.model_settings(model_name, snakemake.params.settings)
    outputs = io.fit_output_paths(snakemake.output)
    for group, seed, result in fit.fit_batch(
        pairs, model_name, settings, snakemake.params.groups, snakemake.params.seeds
    ):
        io.write_fit(result, **outputs[group, seed])
