"""Rule pair: contrastive pairs of the points, with their train/test split, streamed to Parquet."""

from contrastive_gs import io, pairs

with io.job_log(snakemake.log[0]):
    points = io.read_parquet(snakemake.input.points)
    summary = pairs.write_pairs(
        points, pairs.PairSettings(**snakemake.params.pairs), snakemake.output.pairs
    )
    io.write_json(summary, snakemake.output.summary)
