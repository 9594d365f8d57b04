#!/usr/bin/env bash
# stop_slurm.sh - stop the cluster started by tests/cluster/start_slurm.sh.
#
#   bash tests/cluster/stop_slurm.sh           # stop slurmd, slurmctld, munged
#   bash tests/cluster/stop_slurm.sh --purge   # also cancel our jobs first and
#                                              # delete $SLURM_TEST_DIR
#
# Each daemon is stopped by the PID in its pid file, after checking that the
# PID really is that daemon (never by name). munged is only stopped if
# start_slurm.sh started it (it then wrote $SLURM_TEST_DIR/munge/munged.pid).
# The installed packages are left in place. Our /etc/slurm/slurm.conf is removed
# (a backup that start_slurm.sh made of a previous one is put back): with a
# slurm.conf naming a controller that is gone, every `scontrol` waits ~9 s, and
# the SLURM executor plugin runs one each time snakemake starts. A later
# start_slurm.sh writes it again. Safe to call when nothing is running.
# The test directory is taken from /etc/slurm/slurm.conf when start_slurm.sh
# wrote it, else from $SLURM_TEST_DIR (default /tmp/contrastive-gs-slurm).
set -euo pipefail

PURGE=0
for a in "$@"; do
  case "$a" in
    --purge) PURGE=1 ;;
    *) echo "usage: $0 [--purge]" >&2; exit 2 ;;
  esac
done

log() { echo "[stop_slurm] $*"; }

TEST_DIR="${SLURM_TEST_DIR:-/tmp/contrastive-gs-slurm}"
CONF=/etc/slurm/slurm.conf
MARKER="# single-node test cluster written by contrastive-gs tests/cluster/start_slurm.sh"

# conf_value KEY: value of KEY=... in our slurm.conf (nothing if absent/not ours)
conf_value() {
  [ -f "$CONF" ] && head -n1 "$CONF" | grep -qF "$MARKER" || return 0
  sed -n "s/^$1=//p" "$CONF" | head -n1
}

# stop_pidfile PIDFILE COMM: SIGTERM, wait up to 15 s, then SIGKILL
stop_pidfile() {
  local pf="$1" comm="$2" pid _
  [ -s "$pf" ] || { log "$comm: not running (no $pf)"; return 0; }
  pid="$(cat "$pf")"
  if [ -z "$pid" ] || [ ! -r "/proc/$pid/comm" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$comm" ]; then
    log "$comm: not running (stale $pf)"
    rm -f "$pf"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 75); do [ -d "/proc/$pid" ] || break; sleep 0.2; done
  if [ -d "/proc/$pid" ]; then
    log "$comm ($pid) did not stop after SIGTERM, sending SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pf"
  log "stopped $comm ($pid)"
}

# The running cluster is the one described by the slurm.conf we wrote: take
# its test directory (parent of StateSaveLocation) from there, so a cluster
# started under another SLURM_TEST_DIR is still found; else the env default.
state_dir="$(conf_value StateSaveLocation)"
[ -n "$state_dir" ] && TEST_DIR="$(dirname "$state_dir")"
CTLD_PID="$(conf_value SlurmctldPidFile)"; CTLD_PID="${CTLD_PID:-$TEST_DIR/run/slurmctld.pid}"
SLURMD_PID="$(conf_value SlurmdPidFile)"; SLURMD_PID="${SLURMD_PID:-$TEST_DIR/run/slurmd.pid}"
MUNGE_PID="$TEST_DIR/munge/munged.pid"

if [ "$PURGE" = 1 ] && command -v scancel >/dev/null 2>&1; then
  # only the calling user's jobs (CI runs as root)
  scancel --full --quiet --user="$(id -un)" 2>/dev/null || true
fi

# compute node first, then controller, then authentication
stop_pidfile "$SLURMD_PID" slurmd
stop_pidfile "$CTLD_PID" slurmctld
stop_pidfile "$MUNGE_PID" munged

if [ -f "$CONF" ] && head -n1 "$CONF" | grep -qF "$MARKER"; then
  rm -f "$CONF"
  backup="$(ls -t "$CONF".orig.* 2>/dev/null | head -n1 || true)"
  if [ -n "$backup" ]; then mv "$backup" "$CONF"; log "restored $backup"; fi
  log "removed our $CONF"
fi

if [ "$PURGE" = 1 ]; then
  case "$TEST_DIR" in
    /|/tmp|/tmp/|/etc*|/usr*|/var|/root|/home) log "refusing to delete $TEST_DIR" ;;
    *) rm -rf -- "$TEST_DIR"; log "deleted $TEST_DIR" ;;
  esac
fi
exit 0
