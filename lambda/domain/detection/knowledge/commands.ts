/**
 * Commands with a meaning for behavioural detection: payload fetchers and decoders (the first stage
 * of download-and-execute), discovery commands by what they reveal, security services an attacker
 * stops, and persistence installers.
 */

/** Programs that fetch a URL (a download stage). */
export const DOWNLOADERS: ReadonlySet<string> = new Set(['curl', 'wget', 'fetch', 'lwp-download', 'lwp-request', 'GET', 'aria2c', 'axel', 'tftp', 'ftp', 'busybox-wget']);

/** Program names isDecoderCommand knows (each with the flag that makes it decode, below). */
const DECODERS: ReadonlySet<string> = new Set(['base64', 'base32', 'basenc', 'xxd', 'openssl', 'uudecode', 'gunzip', 'zcat', 'bunzip2', 'xz', 'unxz', 'rev']);

/** Programs (with the flag that makes them decode) that turn text into a payload. */
export function isDecoderCommand(argv: readonly string[], name: string): boolean {
  // Asked about every exec: most programs are none of these, so leave before copying the arguments.
  if (!DECODERS.has(name)) return false;
  const args = argv.slice(1);
  switch (name) {
    case 'base64':
    case 'base32':
    case 'basenc':
      return args.some((a) => a === '-d' || a === '--decode' || a === '-D' || /^-[a-z]*d[a-z]*$/i.test(a));
    case 'xxd':
      return args.some((a) => a === '-r' || a === '-revert' || /^-r/.test(a));
    case 'openssl':
      return (args.includes('base64') || args.includes('enc')) && args.includes('-d');
    case 'uudecode':
    case 'gunzip':
    case 'zcat':
    case 'bunzip2':
    case 'xz':
    case 'unxz':
    case 'rev':
      return name !== 'xz' || args.includes('-d');
    default:
      return false;
  }
}

/** What a discovery command reveals; a burst covering several kinds is reconnaissance. */
export type DiscoveryKind = 'identity' | 'system' | 'network' | 'processes' | 'accounts' | 'privileges' | 'cloud' | 'containers' | 'software';

/** Program names discoveryKind knows (the cases below). */
const DISCOVERY_PROGRAMS: ReadonlySet<string> = new Set([
  'id', 'whoami', 'groups', 'logname', 'uname', 'hostname', 'hostnamectl', 'lsb_release', 'lscpu', 'lsblk', 'dmidecode',
  'uptime', 'ifconfig', 'netstat', 'ss', 'arp', 'route', 'iwconfig', 'nmcli', 'ip', 'ps', 'pstree', 'top', 'pgrep', 'w',
  'who', 'last', 'lastlog', 'users', 'getent', 'getcap', 'find', 'sudo', 'dpkg', 'rpm', 'docker', 'crictl', 'kubectl',
  'cat', 'head', 'less', 'more', 'curl', 'wget',
]);

/** Discovery kind of a command (name + argv), or undefined when the command is not discovery. */
export function discoveryKind(name: string, argv: readonly string[]): DiscoveryKind | undefined {
  // Asked about every exec: most programs reveal nothing, so leave before copying the arguments.
  if (!DISCOVERY_PROGRAMS.has(name)) return undefined;
  const args = argv.slice(1);
  switch (name) {
    case 'id':
    case 'whoami':
    case 'groups':
    case 'logname':
      return 'identity';
    case 'uname':
    case 'hostname':
    case 'hostnamectl':
    case 'lsb_release':
    case 'lscpu':
    case 'lsblk':
    case 'dmidecode':
    case 'uptime':
      return args.length === 0 || args.every((a) => a.startsWith('-')) ? 'system' : undefined;
    case 'ifconfig':
    case 'netstat':
    case 'ss':
    case 'arp':
    case 'route':
    case 'iwconfig':
    case 'nmcli':
      return 'network';
    case 'ip':
      return args.some((a) => /^(?:a|addr|address|r|route|n|neigh|neighbour|l|link)$/.test(a)) ? 'network' : undefined;
    case 'ps':
    case 'pstree':
    case 'top':
    case 'pgrep':
      return 'processes';
    case 'w':
    case 'who':
    case 'last':
    case 'lastlog':
    case 'users':
    case 'getent':
      return 'accounts';
    case 'getcap':
      return 'privileges';
    case 'find':
      return args.some((a) => /^-perm$/.test(a)) && args.some((a) => /^[-/]?(?:4000|2000|6000|u=s|g=s|u\+s)$/.test(a)) ? 'privileges' : undefined;
    case 'sudo':
      return args.includes('-l') ? 'privileges' : undefined;
    case 'dpkg':
      return args.includes('-l') ? 'software' : undefined;
    case 'rpm':
      return args.includes('-qa') ? 'software' : undefined;
    case 'docker':
    case 'crictl':
    case 'kubectl':
      return args[0] === 'ps' || args[0] === 'get' || args[0] === 'info' ? 'containers' : undefined;
    case 'cat':
    case 'head':
    case 'less':
    case 'more':
      return catDiscovery(args);
    case 'curl':
    case 'wget':
      return args.some((a) => a.includes('169.254.169.254') || a.includes('[fd00:ec2::254]')) ? 'cloud' : undefined;
    default:
      return undefined;
  }
}

function catDiscovery(args: readonly string[]): DiscoveryKind | undefined {
  for (const a of args) {
    if (a === '/etc/passwd' || a === '/etc/group' || a === '/etc/shadow' || a === '/etc/sudoers') return 'accounts';
    if (a === '/etc/os-release' || a === '/etc/issue' || a === '/proc/version' || a === '/proc/cpuinfo' || a === '/etc/lsb-release') return 'system';
    if (a === '/etc/hosts' || a === '/etc/resolv.conf' || a === '/proc/net/tcp' || a === '/proc/net/arp') return 'network';
    if (a === '/proc/1/cgroup' || a === '/proc/self/cgroup' || a === '/.dockerenv') return 'containers';
  }
  return undefined;
}

/** Security and logging services an attacker stops or disables. */
export const SECURITY_SERVICES: ReadonlySet<string> = new Set([
  'auditd', 'auditbeat', 'picket-agent', 'amazon-ssm-agent', 'amazon-guardduty-agent', 'aws-guardduty-agent',
  'amazon-cloudwatch-agent', 'falco', 'falcon-sensor', 'falcond', 'osqueryd', 'wazuh-agent', 'ossec', 'sysdig', 'tetragon',
  'apparmor', 'aide', 'clamav-daemon', 'clamd', 'rsyslog', 'syslog-ng', 'systemd-journald', 'firewalld', 'ufw',
  'sentinelone', 'cbagentd', 'elastic-agent', 'filebeat', 'td-agent', 'fluentd', 'fluent-bit', 'datadog-agent',
  'qualys-cloud-agent', 'rapid7-agent', 'ir_agent', 'splunkd', 'snoopy', 'aliyun-service', 'aegis', 'bcm-agent',
]);

/** Service-control verbs that stop or disable a service. */
export const STOP_VERBS: ReadonlySet<string> = new Set(['stop', 'disable', 'mask', 'kill']);
