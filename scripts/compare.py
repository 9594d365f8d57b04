"""Rule compare: the network and the polynomial side by side, as in the lecture."""

from contrastive_gs import io, steps

with io.job_log(snakemake.log[0]):
    inputs = {name: io.fit_output_paths({name: files}) for name, files in snakemake.input.items()}
    hypers = f"{snakemake.wildcards.nn_hyper} vs {snakemake.wildcards.poly_hyper}"
    for (group, seed), outputs in io.fit_output_paths(snakemake.output).items():
        fit = {name: paths[group, seed][name] for name, paths in inputs.items()}
        steps.compare_models(
            predictions_files={"nn": fit["nn_predictions"], "poly": fit["poly_predictions"]},
            metrics_files={"nn": fit["nn_metrics"], "poly": fit["poly_metrics"]},
            title=f"{hypers}, {group}, seed {seed}",
            outputs=outputs,
        )
