#!/usr/bin/env bash
# Builds samples/attack-session.audit.log, the capture `npm start` runs detection on: real auditd captures
# from test/fixtures (made on a Debian host by test/fixtures/attacks/capture.sh with Picket's rule set),
# attack simulations mixed with benign admin work, merged in time order as one host's audit.log would be.
set -euo pipefail
cd "$(dirname "$0")/.."
attacks=(reverse-shell-python reverse-shell-bash crypto-miner-executed fileless-execution process-injection-ptrace
         kernel-module-loaded elevation-to-root suspicious-tool sensitive-file-persistence suspicious-command-execution)
benign=(package-install web-serving sudo-and-su tar-backup)
files=()
for a in "${attacks[@]}"; do [ -f "test/fixtures/attacks/$a.log" ] && files+=("test/fixtures/attacks/$a.log"); done
for b in "${benign[@]}"; do [ -f "test/fixtures/benign/$b.log" ] && files+=("test/fixtures/benign/$b.log"); done
# Each record carries msg=audit(<epoch>.<ms>:<serial>); a stable sort on that key interleaves the captures
# like one log while keeping every event's records together and in order.
grep -h 'msg=audit(' "${files[@]}" \
  | awk '{ match($0, /msg=audit\([0-9]+\.[0-9]+:[0-9]+\)/); key = substr($0, RSTART + 10, RLENGTH - 11); split(key, p, ":"); printf "%s %012d\t%s\n", p[1], p[2], $0 }' \
  | sort -s -k1,1 -k2,2 | cut -f2- > samples/attack-session.audit.log
echo "samples/attack-session.audit.log: $(wc -l < samples/attack-session.audit.log) records from ${#files[@]} captures"
