"""Rule fit: one model at one hyper-parameter point, fitted to every group and seed; the alpha
each fit implies at every point of its group, and the scaling law fitted to that alpha."""

from contrastive_gs import fit, io, pairs, recovery

with io.job_log(snakemake.log[0]) as log:
    points = io.read_parquet(snakemake.input.points)
    model_name = snakemake.wildcards.model
    settings = fit.model_settings(model_name, snakemake.params.settings, snakemake.params.M0)
    outputs = io.fit_output_paths(snakemake.output)
    results = fit.fit_batch(
        io.read_parquet(snakemake.input.pairs), model_name, settings, snakemake.params.groups,
        snakemake.params.seeds, threads=snakemake.threads, points=points, M0=snakemake.params.M0,
    )  # fmt: skip
    for group, seed, result in results:
        group_points = pairs.select_points(points, group)
        alpha = recovery.alpha_estimates(model_name, result, group_points)
        alpha_table = recovery.alpha_frame(group_points, alpha, seed=seed)
        polymers = group_points["Polymer"].unique()
        truth = recovery.group_truth(snakemake.params.truth, snakemake.params.r_glassy, polymers)
        law = recovery.fit_record(alpha_table, truth)
        log.info("%s seed=%d scaling law: %s", group, seed, law["law"]["estimates"])
        io.write_fit(result, alpha_table, law, **outputs[group, seed])
