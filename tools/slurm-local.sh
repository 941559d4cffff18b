#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying the job scripts of `wbc-nca experiment --slurm` and
# `wbc-nca predict --slurm` and for the cluster tests. It needs no systemd: munged, slurmctld and slurmd run as plain
# daemons with their configuration, keys, sockets, state, logs and pid files in one folder.
#
#   tools/slurm-local.sh start [DIR]    install Debian's slurm-wlm packages if missing (apt-get, as root), write
#                                       DIR/slurm.conf, start the daemons and wait until the node takes jobs
#   tools/slurm-local.sh stop [DIR]     stop the daemons started there
#   tools/slurm-local.sh status [DIR]   say whether the cluster in DIR is up (exit 0) or not (exit 1)
#
# DIR defaults to $WBC_NCA_SLURM_DIR or /tmp/wbc-nca-slurm. `start` prints the line to use the cluster from a shell:
#   export SLURM_CONF=DIR/slurm.conf
# The tests find the cluster through SLURM_CONF, or through /tmp/wbc-nca-slurm/slurm.conf when it is not set.
# Ports: SLURMCTLD_PORT (default 6817) and SLURMD_PORT (default 6818). The node offers every core of this machine
# as CPUs (one job per core) and runs jobs as the user who submits them; it needs to run as root.
set -euo pipefail

cmd="${1:-}"
dir="${2:-${WBC_NCA_SLURM_DIR:-/tmp/wbc-nca-slurm}}"
ctld_port="${SLURMCTLD_PORT:-6817}"
slurmd_port="${SLURMD_PORT:-6818}"
node="wbcnca-local"

usage() { echo "usage: tools/slurm-local.sh start|stop|status [DIR]" >&2; exit 2; }

conf="$dir/slurm.conf"

is_up() {
  [[ -f "$conf" ]] || return 1
  command -v sinfo >/dev/null 2>&1 || return 1
  local state
  state="$(SLURM_CONF="$conf" timeout 10 sinfo -h -n "$node" -o %t 2>/dev/null | head -n 1)" || return 1
  [[ "$state" =~ ^(idle|mix|alloc) ]]
}

stop_daemons() {
  local name pid
  for name in slurmd slurmctld munged; do
    if [[ -f "$dir/$name.pid" ]]; then
      pid="$(cat "$dir/$name.pid" 2>/dev/null || true)"
      if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
      fi
      rm -f "$dir/$name.pid"
    fi
  done
}

install_packages() {
  local need=() pkg
  for pkg in slurmctld slurmd slurm-client munge; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  (( ${#need[@]} )) || return 0
  if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "slurm-local: ${need[*]} missing; install them with 'apt-get install ${need[*]}' (as root)" >&2
    exit 1
  fi
  echo "slurm-local: installing ${need[*]}…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
}

start() {
  if is_up; then
    echo "slurm-local: already up in $dir" >&2
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  if [[ $EUID -ne 0 ]]; then echo "slurm-local: start needs root (slurmd runs jobs as the user who submits them)" >&2; exit 1; fi
  install_packages
  stop_daemons
  mkdir -p "$dir"/{state,spool,munge}
  chmod 0700 "$dir/munge"
  local key="$dir/munge/munge.key"
  if [[ ! -s "$key" ]]; then
    dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
    chmod 0400 "$key"
  fi
  local cpus mem
  cpus="$(nproc)"
  mem="$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)"
  cat > "$conf" <<EOF
# One-node cluster written by tools/slurm-local.sh (everything under $dir).
ClusterName=wbcnca-local
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=600
MaxArraySize=10001
SchedulerParameters=sched_interval=2
KillWait=10
NodeName=$node NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
  munged --force --socket="$dir/munge/munge.socket" --key-file="$key" --pid-file="$dir/munged.pid" \
    --log-file="$dir/munged.log" --seed-file="$dir/munge/munged.seed"
  slurmctld -f "$conf"
  slurmd -f "$conf" -N "$node"
  for _ in $(seq 120); do
    if is_up; then
      echo "slurm-local: up in $dir (node $node, $cpus CPUs, partition debug)" >&2
      echo "export SLURM_CONF=$conf"
      return 0
    fi
    # A node that was down when slurmctld last ran comes back with ReturnToService=2 once slurmd registers.
    SLURM_CONF="$conf" scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
    sleep 0.5
  done
  echo "slurm-local: the node did not come up; see $dir/slurmctld.log and $dir/slurmd.log" >&2
  tail -n 5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
  exit 1
}

case "$cmd" in
  start) start ;;
  stop) stop_daemons; echo "slurm-local: stopped ($dir)" >&2 ;;
  status)
    if is_up; then echo "slurm-local: up in $dir"; else echo "slurm-local: not up in $dir"; exit 1; fi ;;
  *) usage ;;
esac
