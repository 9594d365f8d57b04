"""Rule pair: contrastive pairs of the points, one table per fold of the split, streamed to
Parquet."""

from contrastive_gs import io, pairs
from contrastive_gs.splits import split_from_config

with io.job_log(snakemake.log[0]):
    summaries = pairs.write_pairs(
        io.read_parquet(snakemake.input.points),
        pairs.PairSettings(**snakemake.params.pairs),
        split_from_config(snakemake.params.split),
        snakemake.output.pairs,
    )
    for summary, path in zip(summaries, snakemake.output.summary, strict=True):
        io.write_json(summary, path)
