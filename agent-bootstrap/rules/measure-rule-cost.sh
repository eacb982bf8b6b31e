#!/usr/bin/env bash
# Measures what each Picket audit rule key costs: events per second per key while a workload runs,
# and the wall-clock slowdown of a compile loop with the rules loaded versus audit with no rules.
# Produces the numbers in docs/agent.md ("Rule set and cost").
#
#   sudo flock /tmp/picket-audit.lock agent-bootstrap/rules/measure-rule-cost.sh [seconds-per-workload]
#
# Needs root, auditd/auditctl, gcc/make and tar; the package workload unpacks this repo's node_modules/.bin targets.
# Starts its own auditd (logging into a temp dir, no plugins), stops it by PID and removes all rules at the end.
# Only events of the workload's own process tree are counted (its loginuid is set to a marker value), so other
# activity on the machine does not inflate the per-workload figures; the idle figure counts the whole machine.
set -euo pipefail

SECONDS_PER_WORKLOAD="${1:-10}"
RULES="$(cd "$(dirname "$0")" && pwd)/picket.rules"
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
MARK_AUID=4242
WORK="$(mktemp -d /tmp/picket-cost.XXXXXX)"
AUDITD_PID=""

cleanup() {
  auditctl -D >/dev/null 2>&1 || true
  auditctl -e 0 >/dev/null 2>&1 || true
  if [ -n "$AUDITD_PID" ]; then kill "$AUDITD_PID" 2>/dev/null || true; wait "$AUDITD_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/conf" "$WORK/plugins" "$WORK/log"
sed -e "s#^log_file *=.*#log_file = $WORK/log/audit.log#" \
    -e "s#^plugin_dir *=.*#plugin_dir = $WORK/plugins#" \
    -e "s#^max_log_file_action *=.*#max_log_file_action = IGNORE#" \
    -e "s#^log_format *=.*#log_format = RAW#" /etc/audit/auditd.conf > "$WORK/conf/auditd.conf"
auditctl -D >/dev/null
auditd -n -c "$WORK/conf" &
AUDITD_PID=$!
for _ in $(seq 50); do [ -s "$WORK/log/audit.log" ] && break; sleep 0.1; done

# A small C project: each make run forks gcc, cc1, as, collect2 and ld per file.
mkdir -p "$WORK/proj"
for i in $(seq 1 12); do printf 'int f%d(int x){return x*%d;}\n' "$i" "$i" > "$WORK/proj/f$i.c"; done
printf 'int main(void){return 0;}\n' > "$WORK/proj/main.c"
# shellcheck disable=SC2016  # make syntax, not shell
printf 'SRC=$(wildcard *.c)\nOBJ=$(SRC:.c=.o)\napp: $(OBJ)\n\tcc -o $@ $(OBJ)\n%%.o: %%.c\n\tcc -O0 -c $< -o $@\nclean:\n\trm -f *.o app\n' > "$WORK/proj/Makefile"

# Runs "$@" for SECONDS_PER_WORKLOAD seconds under the marker loginuid, in a loop.
run_marked() {
  bash -c 'echo '"$MARK_AUID"' > /proc/self/loginuid; end=$((SECONDS + '"$SECONDS_PER_WORKLOAD"')); while [ $SECONDS -lt $end ]; do "$@" >/dev/null 2>&1 || true; done' sh "$@"
}

compile_once() { make -s -C "$WORK/proj" clean app -j2; }
export -f compile_once 2>/dev/null || true

# What `npm ci` does to the disk: unpack packages (many files, executables among them) under /tmp and
# run their bin scripts. A tarball of a few real packages of this repo, unpacked and used over and over.
PKG_TAR="$WORK/packages.tar"
tar -C "$REPO/node_modules" -cf "$PKG_TAR" typescript esbuild @esbuild jest-cli .bin 2>/dev/null || tar -C "$REPO/node_modules" -cf "$PKG_TAR" typescript
unpack_once() {
  rm -rf "$WORK/unpack"; mkdir -p "$WORK/unpack"
  tar -C "$WORK/unpack" -xf "$PKG_TAR"
  node "$WORK/unpack/typescript/bin/tsc" --version
}

# Prints "key count rate" for the SYSCALL records added to the log since line $1, with auid filter $2 (or "any").
count_since() {
  local from=$1 auid=$2
  sleep 2.5   # end_of_event_timeout: let auditd flush the last events
  tail -n +"$from" "$WORK/log/audit.log" | awk -v auid="$auid" -v secs="$SECONDS_PER_WORKLOAD" '
    /^type=SYSCALL/ {
      if (auid != "any" && $0 !~ (" auid=" auid " ")) next
      if (match($0, /key="picket_[a-z_]+"/)) { k = substr($0, RSTART + 5, RLENGTH - 6); n[k]++; total++ }
    }
    END { for (k in n) printf "%-24s %8d %10.1f/s\n", k, n[k], n[k] / secs; printf "%-24s %8d %10.1f/s\n", "TOTAL", total, total / secs }' | sort
}

lines() { wc -l < "$WORK/log/audit.log"; }

# Overhead: user+sys CPU time of a mixed workload (300 execs, 3000 file creations in /tmp, 3 gcc runs) with
# no rules and with the rules, in 6 back-to-back pairs; the result is the median of the per-pair ratios.
# CPU time, not wall clock, and paired medians, not minima: on a shared machine the wall clock measures the
# neighbours (load average 11 on 2 cores when docs/agent.md was written) and a single quiet round skews a minimum.
mkdir -p "$WORK/files"
mixed_work() {
  for _ in $(seq 1 300); do /bin/true; done
  for i in $(seq 1 3000); do : > "$WORK/files/f$i"; done
  rm -f "$WORK"/files/*
  for _ in 1 2 3; do gcc -x c -o "$WORK/files/a" - <<< 'int main(){return 0;}'; done
}
cpu_ms() {
  local out
  out=$( { TIMEFORMAT='%U %S'; time mixed_work >/dev/null 2>&1; } 2>&1 )
  awk -v o="$out" 'BEGIN { split(o, a, " "); printf "%d", (a[1] + a[2]) * 1000 }'
}
auditctl -e 1 >/dev/null
ratios=""
for round in 1 2 3 4 5 6; do
  auditctl -D >/dev/null; x=$(cpu_ms)
  auditctl -R "$RULES" >/dev/null; y=$(cpu_ms)
  echo "round $round: no rules ${x} ms CPU, rules ${y} ms CPU"
  ratios="$ratios $(awk -v a="$x" -v b="$y" 'BEGIN { printf "%.3f", b / a }')"
done
echo "## rules loaded: $(auditctl -l | wc -l)"
# shellcheck disable=SC2086  # word splitting of the ratio list is intended
printf '%s\n' $ratios | sort -n | awk '{ r[NR] = $1 } END { printf "workload_cpu_ratio %.3f (median of %d paired rounds)\n", (r[int((NR + 1) / 2)] + r[int(NR / 2) + 1]) / 2, NR }'

echo "## idle ${SECONDS_PER_WORKLOAD}s (whole machine)"
from=$(( $(lines) + 1 )); sleep "$SECONDS_PER_WORKLOAD"; count_since "$from" any

echo "## compile loop ${SECONDS_PER_WORKLOAD}s (workload tree only)"
from=$(( $(lines) + 1 )); run_marked bash -c "$(declare -f compile_once); WORK=$WORK compile_once"; count_since "$from" "$MARK_AUID"

echo "## package unpack + node loop ${SECONDS_PER_WORKLOAD}s (workload tree only)"
from=$(( $(lines) + 1 )); run_marked bash -c "$(declare -f unpack_once); WORK=$WORK PKG_TAR=$PKG_TAR unpack_once"; count_since "$from" "$MARK_AUID"

echo "## reverse-shell-like and injection probes, once each (workload tree only)"
from=$(( $(lines) + 1 ))
bash -c 'echo '"$MARK_AUID"' > /proc/self/loginuid
  python3 -c "import socket,os; s=socket.socket(); s.bind((\"127.0.0.1\",0)); s.listen(1); c=socket.create_connection(s.getsockname()); a,_=s.accept(); os.dup2(c.fileno(),0)" 
  printf "int main(){return 0;}" > /tmp/picket-cost-drop.c && cc -o /tmp/picket-cost-drop /tmp/picket-cost-drop.c && chmod 755 /tmp/picket-cost-drop && /tmp/picket-cost-drop; rm -f /tmp/picket-cost-drop /tmp/picket-cost-drop.c
  sleep 1 & strace -qq -o /dev/null -p $! ; wait
  python3 -c "import os; os.memfd_create(\"x\")"
  rm -f /var/log/picket-cost-probe.log; : > /var/log/picket-cost-probe.log; rm -f /var/log/picket-cost-probe.log' >/dev/null 2>&1 || true
count_since "$from" "$MARK_AUID"

echo "## kernel: $(auditctl -s | tr '\n' ' ')"
