#!/usr/bin/env bash
# Computes the agent's systemd limits ON THE INSTANCE (GuardDuty's defaults unless overridden) and prints
# the drop-in picket-agent.service.d/50-limits.conf. Mirrors lib/agent-limits.ts; the two are tested
# against each other on the table boundaries (test/agent-deployment/limits.test.ts).
#
#   limits.sh CPU_PERCENT_OF_ALL_VCPUS MEMORY_MAX_MB|auto|''
# CPU_PERCENT is a share of ALL vCPUs (10 = GuardDuty); systemd's CPUQuota is per core, so it becomes
# vCPUs x CPU_PERCENT. Host facts: `nproc` (PICKET_NPROC overrides) and $PICKET_PROC/meminfo MemTotal.
set -eu
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

picket_limits_dropin() {
  local cpu_percent=$1 memory_max=$2 vcpus ram_kb ram_mb cpu_quota mem_high heap
  need cpuQuotaPercent "$cpu_percent" '100|[1-9][0-9]?(\.[0-9]{1,2})?' 'a share of all vCPUs in percent, 1 to 100'
  need memoryMaxMb "$memory_max" '|auto|[1-9][0-9]{1,5}' "empty or 'auto' (RAM-based default) or a size in MB"
  vcpus="${PICKET_NPROC:-$(nproc)}"
  need vcpus "$vcpus" '[1-9][0-9]*' 'a positive number of CPUs (nproc)'
  ram_kb="$(awk '$1 == "MemTotal:" { print $2 }' "$PICKET_PROC/meminfo")"
  need MemTotal "$ram_kb" '[0-9]+' "a size in kB from $PICKET_PROC/meminfo"
  ram_mb=$((ram_kb / 1024))
  if [ -z "$memory_max" ] || [ "$memory_max" = auto ]; then
    if [ "$ram_mb" -lt 8192 ]; then memory_max=128
    elif [ "$ram_mb" -lt 32768 ]; then memory_max=256
    else memory_max=1024
    fi
  elif [ "$memory_max" -lt 64 ]; then
    die "parameter memoryMaxMb is $memory_max; expected at least 64 (node needs about 40 MB to start)"
  fi
  cpu_quota="$(awk -v v="$vcpus" -v p="$cpu_percent" 'BEGIN { q = int(v * p + 0.5); if (q < 1) q = 1; print q }')"
  mem_high=$((memory_max * 9 / 10))
  heap=$((memory_max * 6 / 10))
  printf '# Written by the Picket installer: resource limits of the agent (docs/agent.md, "Resource limits").\n'
  printf '[Service]\nCPUQuota=%s%%\nMemoryHigh=%sM\nMemoryMax=%sM\nEnvironment=PICKET_HEAP_MB=%s\n' "$cpu_quota" "$mem_high" "$memory_max" "$heap"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  [ $# -eq 2 ] || die "usage: limits.sh CPU_PERCENT_OF_ALL_VCPUS MEMORY_MAX_MB|auto|''"
  picket_limits_dropin "$1" "$2"
fi
