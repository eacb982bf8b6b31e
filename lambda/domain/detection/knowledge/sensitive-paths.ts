/**
 * Files that control identity, privilege, persistence and defences, by category. Each category
 * names the GuardDuty finding type a modification raises and the programs whose job is to write
 * those files (their writes are benign: `useradd` rewriting /etc/passwd, `crontab` editing a spool,
 * `logrotate` rotating logs).
 */
export type SensitiveCategory =
  | 'identity'
  | 'sudoers'
  | 'pam'
  | 'ld-preload'
  | 'cron'
  | 'systemd-unit'
  | 'ssh-keys'
  | 'sshd-config'
  | 'shell-profile'
  | 'rc-local'
  | 'module-config'
  | 'audit-config'
  | 'logs'
  | 'shell-history';

export type SensitiveFindingType =
  | 'PrivilegeEscalation:Runtime/SensitiveFileModified'
  | 'Persistence:Runtime/SensitiveFileModified'
  | 'DefenseEvasion:Runtime/SensitiveFileModified';

export interface SensitiveCategoryInfo {
  readonly type: SensitiveFindingType;
  /** What the file is, for descriptions. */
  readonly what: string;
  /** Programs that own these files: their writes are routine. */
  readonly owners: ReadonlySet<string>;
}

const PRIV: SensitiveFindingType = 'PrivilegeEscalation:Runtime/SensitiveFileModified';
const PERSIST: SensitiveFindingType = 'Persistence:Runtime/SensitiveFileModified';
const EVADE: SensitiveFindingType = 'DefenseEvasion:Runtime/SensitiveFileModified';

const USER_TOOLS = ['useradd', 'usermod', 'userdel', 'groupadd', 'groupmod', 'groupdel', 'adduser', 'deluser', 'addgroup', 'delgroup', 'passwd', 'chpasswd', 'chage', 'chsh', 'chfn', 'gpasswd', 'newusers', 'vipw', 'vigr', 'pwconv', 'grpconv', 'pwck', 'grpck', 'systemd-sysusers', 'sss_useradd', 'oddjob_mkhomedir'];

export const SENSITIVE_CATEGORIES: Readonly<Record<SensitiveCategory, SensitiveCategoryInfo>> = {
  identity: { type: PRIV, what: 'account database', owners: new Set(USER_TOOLS) },
  sudoers: { type: PRIV, what: 'sudo policy', owners: new Set(['visudo', 'sudoedit']) },
  pam: { type: PRIV, what: 'PAM authentication configuration', owners: new Set(['pam-auth-update', 'authselect', 'authconfig']) },
  'ld-preload': { type: EVADE, what: 'dynamic-loader preload configuration', owners: new Set(['ldconfig']) },
  cron: { type: PERSIST, what: 'cron schedule', owners: new Set(['crontab', 'cron', 'crond', 'anacron']) },
  'systemd-unit': { type: PERSIST, what: 'systemd unit', owners: new Set(['systemctl', 'systemd', 'systemd-sysv-install', 'deb-systemd-helper']) },
  'ssh-keys': { type: PERSIST, what: 'SSH authorized keys', owners: new Set(['ssh-keygen', 'ssh-copy-id', 'ec2-instance-connect', 'google_guest_agent']) },
  'sshd-config': { type: PERSIST, what: 'SSH server configuration', owners: new Set([]) },
  'shell-profile': { type: PERSIST, what: 'shell start-up file', owners: new Set([]) },
  'rc-local': { type: PERSIST, what: 'boot script', owners: new Set([]) },
  'module-config': { type: PERSIST, what: 'kernel module load configuration', owners: new Set(['update-initramfs', 'dracut']) },
  'audit-config': { type: EVADE, what: 'audit configuration', owners: new Set(['augenrules', 'auditctl', 'auditd']) },
  logs: { type: EVADE, what: 'system log', owners: new Set(['logrotate', 'rsyslogd', 'syslog-ng', 'systemd-journald', 'journalctl', 'auditd', 'savelog', 'sysstat', 'sa1', 'sadc', 'wtmpdb', 'lastlog2']) },
  'shell-history': { type: EVADE, what: 'shell history', owners: new Set(SHELLS_WRITING_HISTORY()) },
};

/** Shells write their own history on exit: that is not tampering. */
function SHELLS_WRITING_HISTORY(): string[] {
  return ['bash', 'zsh', 'sh', 'dash', 'ash', 'ksh', 'mksh', 'fish', 'busybox'];
}

interface PathRule {
  readonly category: SensitiveCategory;
  readonly test: (path: string) => boolean;
}

const exact = (category: SensitiveCategory, ...paths: string[]): PathRule => {
  const set = new Set(paths);
  return { category, test: (p) => set.has(p) };
};
const under = (category: SensitiveCategory, ...dirs: string[]): PathRule => ({
  category,
  test: (p) => dirs.some((d) => p.startsWith(`${d}/`)),
});
const matching = (category: SensitiveCategory, re: RegExp): PathRule => ({ category, test: (p) => re.test(p) });

/** First match wins: order from most to least specific. */
const RULES: readonly PathRule[] = [
  exact('identity', '/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow', '/etc/passwd-', '/etc/shadow-', '/etc/subuid', '/etc/subgid'),
  exact('sudoers', '/etc/sudoers'),
  under('sudoers', '/etc/sudoers.d'),
  exact('pam', '/etc/pam.conf'),
  under('pam', '/etc/pam.d', '/etc/security'),
  matching('pam', /^\/(?:usr\/)?lib(?:64)?\/(?:[^/]+\/)?security\/pam_[^/]+\.so$/),
  exact('ld-preload', '/etc/ld.so.preload', '/etc/ld.so.conf'),
  under('ld-preload', '/etc/ld.so.conf.d'),
  exact('cron', '/etc/crontab', '/etc/anacrontab', '/etc/cron.allow', '/etc/cron.deny'),
  under('cron', '/etc/cron.d', '/etc/cron.hourly', '/etc/cron.daily', '/etc/cron.weekly', '/etc/cron.monthly', '/var/spool/cron', '/var/spool/anacron'),
  under('systemd-unit', '/etc/systemd/system', '/etc/systemd/user', '/usr/lib/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/user', '/run/systemd/system'),
  matching('systemd-unit', /^\/(?:root|home\/[^/]+)\/\.config\/systemd\/user\//),
  matching('ssh-keys', /^\/(?:root|home\/[^/]+)\/\.ssh\/authorized_keys2?$/),
  exact('sshd-config', '/etc/ssh/sshd_config'),
  under('sshd-config', '/etc/ssh/sshd_config.d'),
  exact('shell-profile', '/etc/profile', '/etc/bash.bashrc', '/etc/bashrc', '/etc/environment', '/etc/zsh/zshrc', '/etc/zshenv'),
  under('shell-profile', '/etc/profile.d'),
  matching('shell-profile', /^\/(?:root|home\/[^/]+)\/\.(?:bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv|bash_logout)$/),
  exact('rc-local', '/etc/rc.local', '/etc/rc.d/rc.local'),
  under('rc-local', '/etc/init.d', '/etc/rc.d/init.d'),
  under('module-config', '/etc/modprobe.d', '/etc/modules-load.d'),
  exact('module-config', '/etc/modules'),
  exact('audit-config', '/etc/libaudit.conf'),
  under('audit-config', '/etc/audit', '/etc/audisp'),
  matching('shell-history', /^\/(?:root|home\/[^/]+)\/\.(?:bash_history|zsh_history|ash_history|sh_history|history|mysql_history|psql_history|python_history|lesshst|viminfo)$/),
  under('logs', '/var/log'),
];

/** Category of a sensitive path (absolute, normalised), or undefined. */
export function sensitiveCategory(path: string): SensitiveCategory | undefined {
  // Every file event and every redirect asks; paths repeat endlessly and the answer never changes.
  const cached = categoryCache.get(path);
  if (cached !== undefined) return cached === NOT_SENSITIVE ? undefined : cached;
  let category: SensitiveCategory | undefined;
  for (const rule of RULES) {
    if (rule.test(path)) {
      category = rule.category;
      break;
    }
  }
  // Bounded so hostile paths cannot grow it; long paths are rare and not worth keeping.
  if (path.length <= CATEGORY_CACHE_MAX_PATH) {
    if (categoryCache.size >= CATEGORY_CACHE_MAX) categoryCache.clear();
    categoryCache.set(path, category ?? NOT_SENSITIVE);
  }
  return category;
}
const NOT_SENSITIVE = '';
const CATEGORY_CACHE_MAX = 4096;
const CATEGORY_CACHE_MAX_PATH = 512;
const categoryCache = new Map<string, SensitiveCategory | typeof NOT_SENSITIVE>();

/** Binary log files whose truncation erases login history (utmp/wtmp/btmp/lastlog). */
export const LOGIN_RECORDS: ReadonlySet<string> = new Set(['/var/log/wtmp', '/var/log/btmp', '/var/log/lastlog', '/var/run/utmp', '/run/utmp']);
