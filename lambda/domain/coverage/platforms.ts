/**
 * Which operating systems and kernels the agent supports. The agent needs Linux with the kernel audit
 * subsystem and auditd, systemd and Node (docs/coverage.md, "Supported platforms").
 */
import type { Ec2Instance, SsmInstanceInformation } from './facts';

/** SSM PlatformName → lowest supported PlatformVersion (compared numerically, dotted). */
const SUPPORTED_LINUX: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Amazon Linux$/i, '2'],
  [/^Ubuntu$/i, '20.04'],
  [/^Debian GNU\/Linux$/i, '11'],
  [/^Red Hat Enterprise Linux/i, '8'],
  [/^(Rocky Linux|AlmaLinux|CentOS Stream|Oracle Linux)/i, '8'],
  [/^SLES$|^SUSE Linux Enterprise Server/i, '15'],
  [/^Fedora/i, '38'],
];

/** Compares dotted numeric versions ("20.04" vs "2"); non-numeric parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Why the OS is unsupported, or undefined when it is supported (or unknown: the benefit of the doubt). */
export function unsupportedOsReason(instance: Ec2Instance, ssm: SsmInstanceInformation | undefined): string | undefined {
  if (instance.Platform?.toLowerCase() === 'windows' || /windows/i.test(instance.PlatformDetails ?? '')) {
    return `${instance.PlatformDetails ?? 'Windows'}: the agent runs on Linux only`;
  }
  if (ssm?.PlatformType !== undefined && ssm.PlatformType !== 'Linux') return `${ssm.PlatformType} (${ssm.PlatformName ?? 'unknown'}): the agent runs on Linux only`;
  const name = ssm?.PlatformName;
  if (name === undefined) return undefined;
  const version = ssm?.PlatformVersion ?? '';
  const entry = SUPPORTED_LINUX.find(([re]) => re.test(name));
  if (!entry) return `${name} ${version}`.trim() + ': not a supported Linux distribution';
  if (version !== '' && compareVersions(version, entry[1]) < 0) return `${name} ${version}: older than the oldest supported (${entry[1]})`;
  return undefined;
}

/** Why the kernel (uname -r, from the heartbeat) is unsupported, or undefined. */
export function unsupportedKernelReason(kernel: string | undefined, minKernel: string): string | undefined {
  if (kernel === undefined || kernel === '') return undefined;
  const m = /^(\d+)\.(\d+)/.exec(kernel);
  if (!m) return `kernel "${kernel}" has no readable version`;
  return compareVersions(`${m[1]}.${m[2]}`, minKernel) < 0 ? `kernel ${kernel} is older than ${minKernel}` : undefined;
}
