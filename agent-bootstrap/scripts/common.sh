# shellcheck shell=bash
# Shared by install.sh, uninstall.sh, limits.sh and host-rules.sh: paths, logging, validation.
#
# PICKET_ROOT prefixes every host path (default: the real root). Tests point it at a sandbox directory and
# put fake package managers, systemctl and auditctl first on PATH; nothing else differs between a test run
# and a real install.

# shellcheck disable=SC2034  # the P_* paths are used by the scripts that source this file
PICKET_ROOT="${PICKET_ROOT:-}"
PICKET_PROC="${PICKET_PROC:-/proc}"

# Host paths (docs/agent.md, "What runs on the host").
P_OPT="$PICKET_ROOT/opt/picket"                          # releases/<sha256>/ and the `current` link
P_ETC="$PICKET_ROOT/etc/picket"                          # agent.json
P_STATE="$PICKET_ROOT/var/lib/picket-agent"              # spool, sequence, read positions: kept on upgrade
P_NODE="$PICKET_ROOT/usr/sbin/picket-agent-node"         # private node copy (audit exclusion by exe inode)
P_RULES_DIR="$PICKET_ROOT/etc/audit/rules.d"
P_RULES="$P_RULES_DIR/50-picket.rules"
P_HOST_RULES="$P_RULES_DIR/51-picket-host.rules"
P_UNIT_DIR="$PICKET_ROOT/etc/systemd/system"
P_UNIT="$P_UNIT_DIR/picket-agent.service"
P_DROPIN_DIR="$P_UNIT_DIR/picket-agent.service.d"
P_DROPIN="$P_DROPIN_DIR/50-limits.conf"
P_BACKUP_SUFFIX=".picket-orig"

log() { printf 'picket: %s\n' "$*" >&2; }
die() { printf 'picket: error: %s\n' "$*" >&2; exit 1; }

# matches VALUE ERE: whole-string match of an extended regular expression (a newline never matches).
matches() { [[ $1 =~ ^($2)$ ]]; }

# need NAME VALUE ERE DESCRIPTION: dies with a message naming the parameter unless VALUE matches.
need() {
  matches "$2" "$3" || die "parameter $1 is '$2'; expected $4"
}

# Atomic write: content from stdin to FILE with MODE; returns 0 and prints "changed" when content differs.
write_file() {
  local file=$1 mode=$2 tmp
  mkdir -p "$(dirname "$file")"
  tmp="$(mktemp "$file.XXXXXX")"
  cat > "$tmp"
  chmod "$mode" "$tmp"
  if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
    return 0
  fi
  mv -f "$tmp" "$file"
  echo changed
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else openssl dgst -sha256 -r "$1" | cut -d' ' -f1
  fi
}

# SHA-256 verification before anything from the bundle is used.
verify_sha256() {
  local file=$1 expected=$2 actual
  actual="$(sha256_of "$file")"
  [ "$actual" = "$expected" ] || die "bundle $file has SHA-256 $actual but $expected was expected: refusing to install (corrupt download or tampered object)"
  log "bundle SHA-256 verified: $actual"
}

has_systemd() { command -v systemctl >/dev/null 2>&1; }

# Reload auditd's configuration (plugins): AL2023 refuses `systemctl restart auditd` by design.
reload_auditd() {
  if command -v service >/dev/null 2>&1 && service auditd reload >/dev/null 2>&1; then return 0; fi
  local pid
  pid="$(pidof auditd 2>/dev/null || true)"
  if [ -n "$pid" ]; then kill -HUP "$pid"; return 0; fi
  if has_systemd; then systemctl start auditd >/dev/null 2>&1 || service auditd start >/dev/null 2>&1 || true; fi
}

# Loads every rules.d file (ours included) the way the distro does at boot.
load_audit_rules() {
  if command -v augenrules >/dev/null 2>&1; then augenrules --load >/dev/null
  else auditctl -R "$P_RULES" >/dev/null && { [ ! -f "$P_HOST_RULES" ] || auditctl -R "$P_HOST_RULES" >/dev/null; }
  fi
}
