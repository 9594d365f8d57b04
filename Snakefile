# contrastive-gs: recover diffusivity scaling laws in polymers from contrastive (pairwise) data.
# Run `snakemake --cores N`; see README.md. The config is validated before any job is scheduled.


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/report_common.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/pair.smk"
include: "workflow/rules/fit.smk"
include: "workflow/rules/diagnose.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/recover.smk"
include: "workflow/rules/symbolic.smk"
include: "workflow/rules/predict.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/record.smk"


onstart:
    start_warm_worker()


onsuccess:
    end_run()


onerror:
    end_run()


rule all:
    default_target: True
    input:
        all_targets(),
        rules.benchmarks.output,
        rules.provenance.output,
