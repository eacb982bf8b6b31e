#!/usr/bin/env bash
# Installs or upgrades the Picket agent on Amazon Linux 2023 or Debian/Ubuntu. Idempotent: run it again
# with the same arguments and nothing changes (the agent is not even restarted); run it with a new bundle
# and the agent is upgraded in place, its spool and state (/var/lib/picket-agent) kept.
#
#   install.sh --sha256 HEX (--bundle-file FILE | --bucket NAME --key KEY) --event-bus-arn ARN --region REGION
#              [--cpu-quota-percent 10] [--memory-max-mb ''|auto|MB] [--flush-interval-ms 1000]
#              [--spool-max-mb 256] [--endpoint URL]
#
# The bundle (picket-agent.tar.gz, built by the CDK app) is verified against --sha256 BEFORE anything in
# it is used. --bucket/--key downloads it with the AWS CLI (through the S3 gateway endpoint) or, without
# the CLI, with curl --aws-sigv4 and the instance role's credentials from IMDSv2.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

SHA256="" BUNDLE_FILE="" BUCKET="" KEY="" BUS_ARN="" REGION=""
CPU_PERCENT=10 MEMORY_MAX="" FLUSH_MS=1000 SPOOL_MB=256 ENDPOINT=""

while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "option $1 needs a value"
  case "$1" in
    --sha256) SHA256=$2 ;;
    --bundle-file) BUNDLE_FILE=$2 ;;
    --bucket) BUCKET=$2 ;;
    --key) KEY=$2 ;;
    --event-bus-arn) BUS_ARN=$2 ;;
    --region) REGION=$2 ;;
    --cpu-quota-percent) CPU_PERCENT=$2 ;;
    --memory-max-mb) MEMORY_MAX=$2 ;;
    --flush-interval-ms) FLUSH_MS=$2 ;;
    --spool-max-mb) SPOOL_MB=$2 ;;
    --endpoint) ENDPOINT=$2 ;;
    *) die "unknown option $1 (see the header of install.sh)" ;;
  esac
  shift 2
done

# Same patterns as the SSM document's allowedPattern (test/agent-deployment/ssm-document.test.ts checks it).
need sha256 "$SHA256" '[0-9a-f]{64}' '64 lowercase hex digits (sha256sum of the bundle)'
need eventBusArn "$BUS_ARN" 'arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._/-]{1,256}' 'an EventBridge event bus ARN'
need region "$REGION" '[a-z]{2}(-[a-z]+)+-[0-9]' 'an AWS region such as us-east-1'
need cpuQuotaPercent "$CPU_PERCENT" '100|[1-9][0-9]?(\.[0-9]{1,2})?' 'a share of all vCPUs in percent, 1 to 100'
need memoryMaxMb "$MEMORY_MAX" '|auto|[1-9][0-9]{1,5}' "empty or 'auto' (RAM-based default) or a size in MB"
need flushIntervalMs "$FLUSH_MS" '[1-9][0-9]{0,5}' 'milliseconds, 1 to 999999'
need spoolMaxMb "$SPOOL_MB" '[1-9][0-9]{0,5}' 'megabytes, 1 to 999999'
need endpoint "$ENDPOINT" '|https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?' 'empty or an https URL of the events endpoint'
if [ -z "$BUNDLE_FILE" ]; then
  need bundleBucket "$BUCKET" '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]' 'an S3 bucket name'
  need bundleKey "$KEY" '[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*' 'an S3 object key'
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/picket-install.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
CHANGED=""   # non-empty when the running agent must be restarted

# ---- 1. the bundle: fetch, verify, unpack into releases/<sha256> ----------------------------------
imds() { # imds PATH: IMDSv2 GET
  local token
  token="$(curl -sf -m 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)"
  curl -sf -m 5 -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/$1"
}

fetch_bundle() {
  local out=$1
  if command -v aws >/dev/null 2>&1; then
    aws s3 cp "s3://$BUCKET/$KEY" "$out" --region "$REGION" --only-show-errors
    return
  fi
  command -v curl >/dev/null 2>&1 || die "neither the AWS CLI nor curl is installed: install one, or pass --bundle-file"
  curl --help all 2>/dev/null | grep -q -- '--aws-sigv4' || die "curl is too old for --aws-sigv4 (7.75+ needed) and the AWS CLI is missing: install the AWS CLI, or pass --bundle-file"
  local role creds ak sk tok
  json_field() { sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" | head -n1; }
  role="$(imds meta-data/iam/security-credentials/ | head -n1)" || die "no instance role: the instance needs an instance profile to read the bundle"
  creds="$(imds "meta-data/iam/security-credentials/$role")"
  ak="$(printf '%s' "$creds" | json_field AccessKeyId)"
  sk="$(printf '%s' "$creds" | json_field SecretAccessKey)"
  tok="$(printf '%s' "$creds" | json_field Token)"
  curl -sf --aws-sigv4 "aws:amz:$REGION:s3" --user "$ak:$sk" -H "x-amz-security-token: $tok" \
    -H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
    -o "$out" "https://$BUCKET.s3.$REGION.amazonaws.com/$KEY" || die "download of s3://$BUCKET/$KEY failed"
}

if [ -z "$BUNDLE_FILE" ]; then
  BUNDLE_FILE="$WORK/picket-agent.tar.gz"
  log "downloading s3://$BUCKET/$KEY"
  fetch_bundle "$BUNDLE_FILE"
fi
[ -f "$BUNDLE_FILE" ] || die "bundle file $BUNDLE_FILE does not exist"
verify_sha256 "$BUNDLE_FILE" "$SHA256"

RELEASE="$P_OPT/releases/$SHA256"
if [ ! -f "$RELEASE/agent/picket-agent.js" ]; then
  rm -rf "$RELEASE.tmp"
  mkdir -p "$RELEASE.tmp"
  tar -xzf "$BUNDLE_FILE" -C "$RELEASE.tmp" --no-same-owner
  [ -f "$RELEASE.tmp/agent/picket-agent.js" ] || die "bundle has no agent/picket-agent.js: not a Picket agent bundle"
  chmod -R go-w "$RELEASE.tmp"
  rm -rf "$RELEASE"
  mv "$RELEASE.tmp" "$RELEASE"
  CHANGED="${CHANGED}release "
fi

# ---- 2. packages: node >= 18 and auditd -----------------------------------------------------------
node_ok() { command -v node >/dev/null 2>&1 && node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' 2>/dev/null; }
audit_ok() { command -v auditctl >/dev/null 2>&1 && command -v auditd >/dev/null 2>&1; }

install_packages() {
  local id="" id_like=""
  if [ -f "$PICKET_ROOT/etc/os-release" ]; then
    # shellcheck disable=SC1091
    id="$(. "$PICKET_ROOT/etc/os-release" && echo "${ID:-}")"
    # shellcheck disable=SC1091
    id_like="$(. "$PICKET_ROOT/etc/os-release" && echo "${ID_LIKE:-}")"
  fi
  case " $id $id_like " in
    *" amzn "*|*" fedora "*|*" rhel "*|*" centos "*)
      if command -v dnf >/dev/null 2>&1; then dnf install -y nodejs audit; else yum install -y nodejs audit; fi ;;
    *" debian "*|*" ubuntu "*)
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y --no-install-recommends nodejs auditd || { apt-get update && apt-get install -y --no-install-recommends nodejs auditd; } ;;
    *) die "unsupported distribution '$id' (Amazon Linux 2023, Debian and Ubuntu are supported)" ;;
  esac
}

if ! node_ok || ! audit_ok; then
  log "installing nodejs and auditd from the distribution"
  install_packages
fi
node_ok || die "node $(node --version 2>/dev/null || echo missing) is too old: the agent needs Node.js 18 or newer (Ubuntu 22.04 ships 12: use Ubuntu 24.04 or the NodeSource package)"
audit_ok || die "auditd/auditctl still missing after the package install"

# ---- 3. the agent's private node (the audit rules exclude this exact inode) -----------------------
NODE_SRC="${PICKET_NODE_BIN:-$(readlink -f "$(command -v node)")}"
[ "$(head -c 4 "$NODE_SRC" | od -An -c | tr -d ' ')" = '177ELF' ] || die "$NODE_SRC is not an ELF executable (a version-manager shim?): install the distribution's nodejs package"
if ! cmp -s "$NODE_SRC" "$P_NODE"; then
  mkdir -p "$(dirname "$P_NODE")"
  cp "$NODE_SRC" "$P_NODE.new"
  chmod 0700 "$P_NODE.new"
  mv -f "$P_NODE.new" "$P_NODE"
  CHANGED="${CHANGED}node "
fi

# ---- 4. configuration ------------------------------------------------------------------------------
mkdir -p "$P_ETC" "$P_STATE"
chmod 0700 "$P_STATE"
ENDPOINT_JSON=""
[ -z "$ENDPOINT" ] || ENDPOINT_JSON="$(printf '\n  "endpoint": "%s",' "$ENDPOINT")"
if [ -n "$(write_file "$P_ETC/agent.json" 0600 <<JSON
{
  "eventBusName": "$BUS_ARN",
  "region": "$REGION",$ENDPOINT_JSON
  "stateDir": "/var/lib/picket-agent",
  "reader": "auto",
  "socketPath": "/var/run/audispd_events",
  "flushIntervalMs": $FLUSH_MS,
  "spoolMaxBytes": $((SPOOL_MB * 1048576))
}
JSON
)" ]; then CHANGED="${CHANGED}config "; fi

# ---- 5. audit rules and the af_unix plugin --------------------------------------------------------
case "${PICKET_ARCH:-$(uname -m)}" in
  x86_64) RULES_SRC="$RELEASE/rules/picket.rules" ;;
  aarch64|arm64) RULES_SRC="$RELEASE/rules/picket-aarch64.rules" ;;
  *) die "unsupported CPU architecture $(uname -m) (x86_64 and aarch64 are supported)" ;;
esac
mkdir -p "$P_RULES_DIR"
RULES_CHANGED="$(write_file "$P_RULES" 0640 < "$RULES_SRC")"
HOST_RULES_CHANGED="$(bash "$RELEASE/scripts/host-rules.sh" | write_file "$P_HOST_RULES" 0640)"

# Fedora-family base rules may carry `-a task,never`, which turns syscall auditing off for every process.
for f in "$P_RULES_DIR"/*.rules; do
  [ -f "$f" ] || continue
  case "$f" in "$P_RULES"|"$P_HOST_RULES") continue ;; esac
  if grep -Eq '^[[:space:]]*-a[[:space:]]+(task,never|never,task)' "$f"; then
    [ -f "$f$P_BACKUP_SUFFIX" ] || cp -p "$f" "$f$P_BACKUP_SUFFIX"
    sed -i -E 's/^([[:space:]]*-a[[:space:]]+(task,never|never,task).*)$/# disabled by Picket (it turns syscall auditing off; original kept as *.picket-orig): \1/' "$f"
    log "disabled '-a task,never' in $f (restored by uninstall.sh)"
    RULES_CHANGED=changed
  fi
done

if [ -n "$RULES_CHANGED$HOST_RULES_CHANGED" ] || ! auditctl -l 2>/dev/null | grep -q 'picket_exec'; then
  load_audit_rules || die "loading the audit rules failed (is the rule set immutable, -e 2? then a reboot is needed)"
  log "audit rules loaded"
fi

PLUGIN_DIR="$PICKET_ROOT/etc/audit/plugins.d"
[ -d "$PLUGIN_DIR" ] || [ ! -d "$PICKET_ROOT/etc/audisp/plugins.d" ] || PLUGIN_DIR="$PICKET_ROOT/etc/audisp/plugins.d"
PLUGIN="$PLUGIN_DIR/af_unix.conf"
mkdir -p "$PLUGIN_DIR"
PLUGIN_CHANGED=""
if [ ! -f "$PLUGIN" ]; then
  PLUGIN_CHANGED="$(write_file "$PLUGIN" 0640 < "$RELEASE/rules/af_unix.conf")"
  : > "$PLUGIN$P_BACKUP_SUFFIX.absent"
elif ! grep -Eq '^[[:space:]]*active[[:space:]]*=[[:space:]]*yes' "$PLUGIN" || ! grep -Eq '^[[:space:]]*format[[:space:]]*=[[:space:]]*string' "$PLUGIN"; then
  [ -f "$PLUGIN$P_BACKUP_SUFFIX" ] || cp -p "$PLUGIN" "$PLUGIN$P_BACKUP_SUFFIX"
  sed -i -E -e 's/^[[:space:]]*active[[:space:]]*=.*/active = yes/' -e 's/^[[:space:]]*format[[:space:]]*=.*/format = string/' "$PLUGIN"
  PLUGIN_CHANGED=changed
fi
if [ -n "$PLUGIN_CHANGED" ]; then
  reload_auditd
  log "auditd af_unix plugin active"
fi

# ---- 6. the service, with limits computed on this instance ----------------------------------------
UNIT_CHANGED="$(write_file "$P_UNIT" 0644 < "$RELEASE/systemd/picket-agent.service")"
DROPIN_CHANGED="$(bash "$RELEASE/scripts/limits.sh" "$CPU_PERCENT" "$MEMORY_MAX" | write_file "$P_DROPIN" 0644)"
[ -z "$UNIT_CHANGED$DROPIN_CHANGED" ] || CHANGED="${CHANGED}unit "
ln -sfn "releases/$SHA256" "$P_OPT/current.new"
mv -Tf "$P_OPT/current.new" "$P_OPT/current"
printf '{"sha256":"%s","installedAt":"%s"}\n' "$SHA256" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$P_OPT/installed.json"

if has_systemd; then
  systemctl daemon-reload
  systemctl enable auditd >/dev/null 2>&1 || true
  systemctl enable picket-agent.service >/dev/null 2>&1
  if [ -n "$CHANGED" ]; then
    log "starting the agent (changed: $CHANGED)"
    systemctl restart picket-agent.service
  elif ! systemctl is-active --quiet picket-agent.service; then
    systemctl start picket-agent.service
  fi
else
  die "systemd is required to run the agent (systemctl not found)"
fi

# Keep the current and the previous release (rollback by re-running install.sh with the old bundle).
# shellcheck disable=SC2012
ls -1t "$P_OPT/releases" 2>/dev/null | tail -n +3 | while IFS= read -r old; do
  [ "$old" = "$SHA256" ] || rm -rf "${P_OPT:?}/releases/$old"
done
log "installed $SHA256 (${CHANGED:-no change})"
