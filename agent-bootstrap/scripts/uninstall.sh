#!/usr/bin/env bash
# Removes the Picket agent: stops and removes the service, the audit rules, the private node, the bundle
# and the configuration; restores the audit files install.sh changed. Idempotent: running it on a host
# without Picket does nothing and succeeds. Packages (nodejs, auditd) stay: other software may use them.
#
#   uninstall.sh [--purge]     --purge also deletes the spool and state (/var/lib/picket-agent)
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"

PURGE=no
case "${1:-}" in
  "") ;;
  --purge) PURGE=yes ;;
  *) die "unknown option $1 (usage: uninstall.sh [--purge])" ;;
esac

if has_systemd; then
  systemctl disable --now picket-agent.service >/dev/null 2>&1 || true
  if systemctl is-active --quiet picket-agent.service 2>/dev/null; then die "picket-agent.service is still running after stop"; fi
fi
rm -f "$P_UNIT"
rm -rf "$P_DROPIN_DIR"
if has_systemd; then systemctl daemon-reload || true; fi

RULES_CHANGED=""
for f in "$P_RULES" "$P_HOST_RULES"; do
  if [ -e "$f" ]; then rm -f "$f"; RULES_CHANGED=yes; fi
done
for backup in "$P_RULES_DIR"/*.rules"$P_BACKUP_SUFFIX"; do
  [ -f "$backup" ] || continue
  mv -f "$backup" "${backup%"$P_BACKUP_SUFFIX"}"
  RULES_CHANGED=yes
done
if [ -n "$RULES_CHANGED" ]; then
  if command -v augenrules >/dev/null 2>&1; then augenrules --load >/dev/null || log "augenrules --load failed; the previous rules stay loaded until reboot"
  elif command -v auditctl >/dev/null 2>&1; then auditctl -D >/dev/null || true
  fi
fi

for dir in "$PICKET_ROOT/etc/audit/plugins.d" "$PICKET_ROOT/etc/audisp/plugins.d"; do
  plugin="$dir/af_unix.conf"
  if [ -f "$plugin$P_BACKUP_SUFFIX.absent" ]; then
    rm -f "$plugin" "$plugin$P_BACKUP_SUFFIX.absent"
    reload_auditd || true
  elif [ -f "$plugin$P_BACKUP_SUFFIX" ]; then
    mv -f "$plugin$P_BACKUP_SUFFIX" "$plugin"
    reload_auditd || true
  fi
done

rm -f "$P_NODE" "$P_NODE.new"
rm -rf "$P_OPT" "$P_ETC"
if [ "$PURGE" = yes ]; then rm -rf "$P_STATE"; fi
log "uninstalled$([ "$PURGE" = yes ] && echo ' (state purged)' || echo "; spool and state kept in ${P_STATE#"$PICKET_ROOT"} (uninstall.sh --purge removes them)")"
