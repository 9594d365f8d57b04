#!/usr/bin/env bash
# start_slurm.sh - start a throw-away single-node SLURM cluster on this machine
# (Debian 12 packages, SLURM 22.05) for the cluster-submission tests.
#
#   bash tests/cluster/start_slurm.sh
#   SLURM_TEST_DIR=/tmp/my-slurm bash tests/cluster/start_slurm.sh
#
# What it does, idempotently (a second call restarts nothing):
#   1. installs `munge slurmctld slurmd slurm-client` if missing (apt-get);
#   2. writes /etc/slurm/slurm.conf: one node on 127.0.0.1 with all CPUs and
#      85 % of the memory, one partition `debug`, no accounting database
#      (so use `--slurm-status-command squeue` with snakemake), MinJobAge=600;
#   3. starts munged, slurmctld and slurmd directly (no systemd needed);
#   4. waits until the node is idle.
# State, spool, logs and pid files live under $SLURM_TEST_DIR
# (default /tmp/contrastive-gs-slurm). slurm.conf itself must stay at
# /etc/slurm/slurm.conf, where Debian's sbatch/squeue/sinfo look for it.
# Stop everything again with tests/cluster/stop_slurm.sh.
#
# Needs root; check first with tests/cluster/can_run.sh. Exit status 3: the
# packages could not be installed (the one line printed says so).
set -euo pipefail

log() { echo "[start_slurm] $*"; }
die() { echo "[start_slurm] ERROR: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"

TEST_DIR="${SLURM_TEST_DIR:-/tmp/contrastive-gs-slurm}"
case "$TEST_DIR" in /*) ;; *) die "SLURM_TEST_DIR must be an absolute path: $TEST_DIR" ;; esac

CONF=/etc/slurm/slurm.conf                 # fixed: the client tools' default
STATE_DIR="$TEST_DIR/state"                # slurmctld StateSaveLocation (owned by slurm)
SPOOL_DIR="$TEST_DIR/spool"                # slurmd spool (job scripts)
LOG_DIR="$TEST_DIR/log"                    # slurmctld.log, slurmd.log
RUN_DIR="$TEST_DIR/run"                    # slurm pid files
CTLD_PID="$RUN_DIR/slurmctld.pid"
SLURMD_PID="$RUN_DIR/slurmd.pid"
# munged refuses log/pid paths in directories not owned by munge (or root),
# so it gets its own directory; the pid file exists only if *we* start munged.
MUNGE_DIR="$TEST_DIR/munge"
MUNGE_PID="$MUNGE_DIR/munged.pid"
MUNGE_SOCKET_DIR=/run/munge                # fixed: where slurm's auth/munge looks
MARKER="# single-node test cluster written by contrastive-gs tests/cluster/start_slurm.sh"

# ------------------------------------------------------------------ helpers
# running PIDFILE COMM: true if PIDFILE names a live process called COMM
running() {
  local pf="$1" comm="$2" pid
  [ -s "$pf" ] || return 1
  pid="$(cat "$pf" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]
}
# stop_pidfile PIDFILE COMM: SIGTERM, wait up to 10 s, then SIGKILL
stop_pidfile() {
  local pf="$1" comm="$2" pid _
  running "$pf" "$comm" || { rm -f "$pf"; return 0; }
  pid="$(cat "$pf")"
  log "stopping $comm ($pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do [ -d "/proc/$pid" ] || break; sleep 0.2; done
  if [ -d "/proc/$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$pf"
}
# wait_for SECONDS DESCRIPTION CMD...: poll CMD every 0.25 s until it succeeds
wait_for() {
  local t="$1" what="$2" _; shift 2
  for _ in $(seq 1 $((t * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  echo "[start_slurm] timed out after ${t}s waiting for $what" >&2
  return 1
}
# conf_value KEY FILE: value of KEY=... in a slurm.conf-style file (or nothing)
conf_value() {
  [ -f "$2" ] || return 0
  sed -n "s/^$1=//p" "$2" | head -n1
}
# on failure, show the end of the daemon logs: that is where the reason is
show_logs() {
  local f
  for f in "$LOG_DIR"/slurmctld.log "$LOG_DIR"/slurmd.log; do
    [ -f "$f" ] && { echo "---- tail $f" >&2; tail -n 20 "$f" >&2; }
  done
  return 0
}
on_exit() { local rc=$?; [ "$rc" = 0 ] || show_logs; exit "$rc"; }
trap on_exit EXIT

# ------------------------------------------------------------------ install
pkgs=(munge slurmctld slurmd slurm-client)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # no systemd here: the packages' attempts to start their services are
  # skipped or fail harmlessly; we start the daemons ourselves below.
  # Exit 3 (not 1) when the packages cannot be had: the tests skip on it.
  if ! apt-get update -qq || ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    echo "SLURM test cluster unavailable: apt-get could not install ${missing[*]} (no network or no package source?)"
    trap - EXIT
    exit 3
  fi
fi

# ------------------------------------------------------------------ directories
mkdir -p /etc/slurm "$TEST_DIR" "$STATE_DIR" "$SPOOL_DIR" "$LOG_DIR" "$RUN_DIR" \
  "$MUNGE_DIR" "$MUNGE_SOCKET_DIR"
chmod 0755 "$TEST_DIR" "$RUN_DIR" "$SPOOL_DIR"
# slurmctld drops privileges to SlurmUser=slurm and then writes state + log
chown slurm:slurm "$STATE_DIR" "$LOG_DIR"
chmod 0755 "$STATE_DIR" "$LOG_DIR"
chown munge:munge "$MUNGE_DIR" "$MUNGE_SOCKET_DIR"
chmod 0755 "$MUNGE_DIR" "$MUNGE_SOCKET_DIR"

# ------------------------------------------------------------------ slurm.conf
HOST="$(hostname -s)"
NCPU="$(nproc)"
MEM_MB=$(( $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) * 85 / 100 ))

NEW_CONF="$(cat <<EOF
$MARKER
# (SLURM_TEST_DIR=$TEST_DIR); stop it with tests/cluster/stop_slurm.sh
ClusterName=contrastivegs
SlurmctldHost=${HOST}(127.0.0.1)
AuthType=auth/munge
CredType=cred/munge
SlurmUser=slurm
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=${STATE_DIR}
SlurmdSpoolDir=${SPOOL_DIR}
SlurmctldPidFile=${CTLD_PID}
SlurmdPidFile=${SLURMD_PID}
SlurmctldLogFile=${LOG_DIR}/slurmctld.log
SlurmdLogFile=${LOG_DIR}/slurmd.log
# no cgroups in containers/CI: track processes by /proc, no task binding
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
# no slurmdbd: sacct does not work, snakemake must poll with squeue
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
# keep finished jobs visible to squeue/scontrol for 10 min: snakemake's slurm
# plugin needs MinJobAge >= 3 x its first status-check delay for squeue polling
MinJobAge=600
KillWait=5
Waittime=0
NodeName=${HOST} NodeAddr=127.0.0.1 CPUs=${NCPU} RealMemory=${MEM_MB} State=UNKNOWN
PartitionName=debug Nodes=${HOST} Default=YES MaxTime=INFINITE State=UP
EOF
)"

if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$NEW_CONF" ]; then
  # SLURM only reads its config at start: stop the daemons of the old config
  # (by the pid files *it* names, which may be under another SLURM_TEST_DIR)
  # and restart slurmctld and slurmd together below.
  old_slurmd_pid="$(conf_value SlurmdPidFile "$CONF")"
  old_ctld_pid="$(conf_value SlurmctldPidFile "$CONF")"
  old_state_dir="$(conf_value StateSaveLocation "$CONF")"
  if [ -n "$old_slurmd_pid" ]; then stop_pidfile "$old_slurmd_pid" slurmd; fi
  if [ -n "$old_ctld_pid" ]; then stop_pidfile "$old_ctld_pid" slurmctld; fi
  stop_pidfile "$SLURMD_PID" slurmd
  stop_pidfile "$CTLD_PID" slurmctld
  # a munged we started for a cluster under another SLURM_TEST_DIR: restart it
  # here so that stop_slurm.sh finds its pid file under the new directory
  if [ -n "$old_state_dir" ] && [ "$(dirname "$old_state_dir")" != "$TEST_DIR" ]; then
    stop_pidfile "$(dirname "$old_state_dir")/munge/munged.pid" munged
  fi
  if [ -f "$CONF" ] && ! head -n1 "$CONF" | grep -qF "$MARKER"; then
    cp -p "$CONF" "$CONF.orig.$(date +%s)"
    log "kept the previous $CONF as $CONF.orig.*"
  fi
  printf '%s\n' "$NEW_CONF" > "$CONF"
  chmod 0644 "$CONF"
  log "wrote $CONF"
fi

# ------------------------------------------------------------------ munge
# slurm authenticates every RPC through munged's socket in /run/munge.
munge_ok() { munge -n | unmunge; }
if [ ! -s /etc/munge/munge.key ]; then
  log "creating munge key"
  mungekey --create --keyfile=/etc/munge/munge.key
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if munge_ok >/dev/null 2>&1; then
  : # a munged is already serving the socket (ours from an earlier call, or the system's)
else
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged --pid-file="$MUNGE_PID" --log-file="$MUNGE_DIR/munged.log"
fi
wait_for 10 munged munge_ok

# ------------------------------------------------------------------ slurmctld + slurmd
if ! running "$CTLD_PID" slurmctld; then
  log "starting slurmctld"
  /usr/sbin/slurmctld
fi
wait_for 30 slurmctld scontrol ping

if ! running "$SLURMD_PID" slurmd; then
  log "starting slurmd"
  /usr/sbin/slurmd
fi

node_idle() { sinfo -h -n "$HOST" -o '%t' | grep -Eq '^(idle|mix|alloc)$'; }
if ! wait_for 30 "node $HOST idle" node_idle; then
  # a node left DOWN/DRAIN by an earlier run: put it back in service
  scontrol update NodeName="$HOST" State=RESUME || true
  wait_for 15 "node $HOST idle" node_idle
fi

sinfo
log "cluster up: partition debug, node $HOST ($NCPU CPUs, $MEM_MB MB), state under $TEST_DIR"
