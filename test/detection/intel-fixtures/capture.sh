#!/usr/bin/env bash
# Re-creates the real-audit fixture for the IP threat-intel tests (root, auditd installed):
#   flock /tmp/picket-audit.lock test/detection/intel-fixtures/capture.sh
# Only loopback addresses are used; nothing leaves the machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../../fixtures/attacks/lib/capture-lib.sh
source "$here/../../fixtures/attacks/lib/capture-lib.sh"
capture_scenario "$here/loopback-connections.log" "$here/loopback-connections.sh"
