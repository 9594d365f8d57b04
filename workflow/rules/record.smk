# What the run cost and what made it: every job's benchmark gathered and summed per rule (with
# the profile resources the measures call for), and the provenance record of the run.  Both are
# local jobs that read what the others wrote, so they come last.


localrules:
    benchmarks,
    provenance,


rule benchmarks:
    input:
        benchmarks=[benchmark for _, _, benchmark, _ in run_jobs()],
        logs=[log for _, _, _, log in run_jobs()],  # a warm worker's child ends them with its usage
    output:
        parquet=f"{SUMMARY_DIR}/benchmarks.parquet",
        csv=f"{SUMMARY_DIR}/benchmarks.csv",
        rule_costs=f"{SUMMARY_DIR}/rule_costs.csv",
        resources=f"{SUMMARY_DIR}/suggested_resources.yaml",
        figure=report_file(
            f"{SUMMARY_DIR}/rule_costs.svg",
            "rule_costs.rst",
            "run",
            "Time and memory per rule",
        ),
    log:
        f"{SUMMARY_DIR}/logs/benchmarks.log",
    benchmark:
        f"{SUMMARY_DIR}/logs/benchmarks/benchmarks.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        jobs=[[name, identity] for name, identity, _, _ in run_jobs()],
        local_rules=sorted(workflow._localrules),  # run by Snakemake itself, never submitted
    script:
        "../../scripts/benchmarks.py"


rule provenance:
    input:
        results=[*all_targets(), *rules.benchmarks.output],
    output:
        yaml=f"{SUMMARY_DIR}/provenance.yaml",
        html=report_file(
            f"{SUMMARY_DIR}/provenance.html",
            "provenance.rst",
            "run",
            "Provenance",
        ),
    log:
        f"{SUMMARY_DIR}/logs/provenance.log",
    benchmark:
        f"{SUMMARY_DIR}/logs/benchmarks/provenance.tsv"
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../../scripts/provenance.py"
