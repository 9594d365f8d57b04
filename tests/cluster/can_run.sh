#!/usr/bin/env bash
# can_run.sh - can this machine host the throw-away single-node SLURM cluster
# that tests/cluster/start_slurm.sh sets up?
#
#   bash tests/cluster/can_run.sh && bash tests/cluster/start_slurm.sh
#
# Exit 0: yes. Exit 1: no, after printing ONE line with the reason (meant to be
# used verbatim as a pytest skip reason). Changes nothing on the machine.
# SKIP_CLUSTER_TESTS=1 always answers no.
set -euo pipefail

skip() { echo "SLURM test cluster unavailable: $*"; exit 1; }

# A way out for machines where the tests must not install or start anything.
[ -z "${SKIP_CLUSTER_TESTS:-}" ] || skip "SKIP_CLUSTER_TESTS is set"

# start_slurm.sh installs packages, writes /etc/slurm/slurm.conf and starts
# daemons that switch user: all of that needs root.
[ "$(id -u)" = 0 ] || skip "needs root (running as uid $(id -u))"

# Either the daemons are already installed ...
have_bins=1
for b in munged slurmctld slurmd sbatch squeue sinfo scontrol; do
  command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || { have_bins=0; break; }
done

# ... or we can install Debian's packages (munge slurmctld slurmd slurm-client).
if [ "$have_bins" = 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    skip "SLURM binaries not installed and no apt-get/dpkg to install them"
  fi
fi

# The daemons are run as the 'slurm' and 'munge' users (created by the
# packages) and need these basic tools; the tests wrap snakemake in timeout.
for t in runuser awk hostname nproc timeout; do
  command -v "$t" >/dev/null 2>&1 || skip "missing tool: $t"
done

exit 0
