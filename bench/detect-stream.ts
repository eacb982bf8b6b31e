/**
 * The detect bench's event stream: a fixed-seed generator that looks like a busy host (execs with
 * lineage, outbound connections, DNS lookups, file writes, a few listed addresses and names from
 * documentation ranges and .test names only). Shared by the bench and by profiling scripts so both
 * run exactly the same workload.
 */
import { prng } from './prng';

/** Instances the stream spreads its events over. */
export const INSTANCES = 20;

export { prng };

/** An executable and its argv. */
export type Exec = readonly [string, readonly string[]];

/** The routine programs of a busy host, shared by the detect and Sigma bench streams. */
export const EVERYDAY_EXECS: readonly Exec[] = [
  ['/usr/bin/ps', ['ps', '-eo', 'pid,ppid,cmd,%mem,%cpu']],
  ['/usr/bin/curl', ['curl', '-fsS', '--max-time', '5', 'https://api.example.com/health']],
  ['/usr/bin/python3.11', ['python3', '/opt/app/worker.py', '--queue', 'jobs']],
  ['/usr/bin/systemctl', ['systemctl', 'is-active', '--quiet', 'amazon-ssm-agent']],
  ['/usr/bin/grep', ['grep', '-E', 'ERROR|WARN', '/var/log/app/app.log']],
  ['/usr/bin/git', ['git', '-C', '/srv/app', 'fetch', '--prune', 'origin']],
];

/** Yields the stream one JSON line at a time (the memory child never holds it all). */
export function* eventLines(n: number): Generator<string> {
  const rnd = prng(20261129);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const hex = (len: number) => Array.from({ length: len }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const tools: readonly Exec[] = [
    ...EVERYDAY_EXECS,
    ['/usr/sbin/nginx', ['nginx', '-g', 'daemon off;']],
    ['/usr/bin/node', ['node', '/srv/app/server.js']],
  ];
  const lineage = [
    { pid: 1432, exe: '/usr/bin/bash', argv: ['/bin/bash', '/opt/app/cron/healthcheck.sh'], uid: 0, euid: 0, uuid: 'p-1432' },
    { pid: 1101, exe: '/usr/sbin/crond', argv: ['/usr/sbin/crond', '-n'], uid: 0, euid: 0, uuid: 'p-1101' },
    { pid: 1, exe: '/usr/lib/systemd/systemd', uid: 0, euid: 0, uuid: 'p-1' },
  ];
  const domains = [
    'api.example.com', 's3.us-east-1.amazonaws.com', 'ssm.us-east-1.amazonaws.com', 'registry.npmjs.org', 'github.com',
    'archive.ubuntu.com', 'logs.us-east-1.amazonaws.com', 'sts.amazonaws.com', 'pypi.org', 'files.pythonhosted.org',
  ];
  let ms = Date.UTC(2026, 10, 29, 9, 0, 0);
  const seqs = new Array<number>(INSTANCES).fill(0);
  for (let i = 0; i < n; i++) {
    ms += Math.floor(rnd() * 4);
    const inst = Math.floor(rnd() * INSTANCES);
    const [exe, argv] = pick(tools);
    const pid = 2000 + Math.floor(rnd() * 60000);
    const base = {
      v: 1,
      ts: new Date(ms).toISOString(),
      instanceId: `i-0a1b2c3d4e5f607${inst.toString(16).padStart(2, '0')}`,
      seq: ++seqs[inst],
      process: { pid, ppid: 1432, exe, sha256: hex(64), argv, cwd: '/srv/app', uid: 0, euid: 0, gid: 0, user: 'root', uuid: `u-${pid}` },
      lineage,
      sensor: 'auditd',
    };
    const r = rnd();
    let event: Record<string, unknown>;
    if (r < 0.35) event = { ...base, kind: 'process_exec', syscall: 'execve' };
    else if (r < 0.55) {
      const hit = rnd() < 0.002;
      const remoteIp = hit ? `203.0.113.${Math.floor(rnd() * 256)}` : `10.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`;
      event = { ...base, kind: 'net_connect', net: { family: 'inet', protocol: 'tcp', remoteIp, remotePort: pick([443, 80, 5432, 6379]), localIp: '10.0.0.5', localPort: 40000 + Math.floor(rnd() * 20000) } };
    } else if (r < 0.75) {
      const q = rnd();
      const query = q < 0.002 ? 'c2.example.test' : q < 0.004 ? `${hex(12)}.test` : q < 0.05 ? `host${Math.floor(rnd() * 500)}.example.test` : pick(domains);
      event = { ...base, kind: 'dns_query', sensor: 'resolved', dns: { query, qtype: 'A', rcode: 'NOERROR', answers: ['192.0.2.10'] } };
    } else if (r < 0.92) {
      event = { ...base, kind: 'file_write', file: { path: pick(['/var/log/app/app.log', '/srv/app/cache/data.json', '/tmp/upload.tmp', '/var/lib/app/state.db']) } };
    } else {
      event = { ...base, kind: 'net_accept', net: { family: 'inet', protocol: 'tcp', remoteIp: `10.0.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`, remotePort: 50000, localIp: '10.0.0.5', localPort: 443 } };
    }
    yield JSON.stringify(event);
  }
}
