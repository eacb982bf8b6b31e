/**
 * Runtime-event contract costs, each against a baseline measured in the same run:
 * - validation throughput (parse + schema + size) against JSON.parse alone on the same lines;
 * - validation of already-parsed events against JSON.parse;
 * - batch size: gzip+base64 bytes against the raw JSON lines, and the EventBridge 64 KB chunks a
 *   stream costs packed compressed against packed as plain JSON.
 * The stream is generated (deterministic seed) to look like a busy Amazon Linux host: mostly execs of
 * short-lived tools with lineage, outbound connections, DNS lookups and file writes.
 */
import { DETAIL_TYPE_EVENTS, type RuntimeEvent } from '../lambda/domain/events/runtime-event';
import { encodeBatch, packBatches } from '../lambda/domain/events/batch';
import { parseRuntimeEvent, validateRuntimeEvent } from '../lambda/domain/events/validate';
import { type Reporter, timeMs } from './harness';
import { prng } from './prng';

const INSTANCE = 'i-0a1b2c3d4e5f60718';
const SOURCE = `picket.agent/arn:aws:ec2:us-east-1:111122223333:instance/${INSTANCE}`;
const EVENTS = 20_000;


function realisticStream(n: number): RuntimeEvent[] {
  const rnd = prng(20260314);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const hex = (len: number) => Array.from({ length: len }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const tools = [
    ['/usr/bin/ps', ['ps', '-eo', 'pid,ppid,cmd,%mem,%cpu', '--sort=-%cpu']],
    ['/usr/bin/curl', ['curl', '-fsS', '--max-time', '5', 'http://169.254.169.254/latest/meta-data/instance-id']],
    ['/usr/bin/python3.9', ['python3', '/opt/app/worker.py', '--queue', 'jobs', '--concurrency', '4']],
    ['/usr/bin/systemctl', ['systemctl', 'is-active', '--quiet', 'amazon-ssm-agent']],
    ['/usr/bin/grep', ['grep', '-E', 'ERROR|WARN', '/var/log/app/app.log']],
    ['/usr/bin/aws', ['aws', 's3', 'cp', '/var/backups/db.sql.gz', 's3://backups-example/db/']],
    ['/usr/bin/git', ['git', '-C', '/srv/app', 'fetch', '--prune', 'origin']],
  ] as const;
  const parents = [
    { pid: 1432, exe: '/usr/bin/bash', argv: ['/bin/bash', '/opt/app/cron/healthcheck.sh'], uid: 0, euid: 0 },
    { pid: 1101, exe: '/usr/sbin/crond', argv: ['/usr/sbin/crond', '-n'], uid: 0, euid: 0 },
    { pid: 1, exe: '/usr/lib/systemd/systemd', argv: ['/usr/lib/systemd/systemd', '--switched-root', '--system', '--deserialize', '31'], uid: 0, euid: 0 },
  ];
  const events: RuntimeEvent[] = [];
  let ms = Date.UTC(2026, 2, 14, 9, 0, 0);
  for (let seq = 1; seq <= n; seq++) {
    ms += Math.floor(rnd() * 40);
    const [exe, argv] = pick(tools);
    const pid = 2000 + Math.floor(rnd() * 60000);
    const process = {
      pid,
      ppid: parents[0]!.pid,
      exe,
      sha256: hex(64),
      argv: [...argv],
      cwd: pick(['/', '/root', '/srv/app', '/home/ec2-user']),
      uid: 0,
      euid: 0,
      gid: 0,
      user: 'root',
      startTime: new Date(ms - 3).toISOString(),
      uuid: hex(32),
    };
    const base = { v: 1 as const, ts: new Date(ms).toISOString(), instanceId: INSTANCE, seq, process, lineage: parents, success: true, sensor: 'auditd' as const };
    const roll = rnd();
    if (roll < 0.45) events.push({ ...base, kind: 'process_exec', syscall: 'execve', auditKey: 'picket_exec' });
    else if (roll < 0.7) {
      events.push({
        ...base,
        kind: 'net_connect',
        auditKey: 'picket_net',
        net: { family: 'inet', protocol: 'tcp', localIp: '10.0.1.25', localPort: 32768 + Math.floor(rnd() * 28000), remoteIp: `198.51.100.${Math.floor(rnd() * 254) + 1}`, remotePort: pick([443, 443, 443, 80, 5432]) },
      });
    } else if (roll < 0.85) {
      events.push({
        ...base,
        kind: 'dns_query',
        sensor: 'resolved',
        dns: { query: pick(['s3.us-east-1.amazonaws.com', 'ssm.us-east-1.amazonaws.com', 'api.example.com', 'db.internal.example.com']), qtype: pick(['A', 'AAAA']), rcode: 'NOERROR', answers: [`203.0.113.${Math.floor(rnd() * 254) + 1}`] },
      });
    } else {
      events.push({ ...base, kind: 'file_write', auditKey: 'picket_files', file: { path: `/var/log/app/app-${Math.floor(rnd() * 7)}.log`, inode: Math.floor(rnd() * 2_000_000) } });
    }
  }
  return events;
}

export default async function (r: Reporter): Promise<void> {
  const events = realisticStream(EVENTS);
  const lines = events.map((e) => JSON.stringify(e));
  const parsed = lines.map((l) => JSON.parse(l) as unknown);
  const lineBytes = lines.map((l) => Buffer.byteLength(l, 'utf8'));

  // Sanity: the benchmark measures the accepting path, so every event must be valid.
  for (const line of lines) {
    const result = parseRuntimeEvent(line);
    if (!result.ok) throw new Error(`generated event invalid: ${result.reason}`);
  }

  let sink = 0;
  const parseMs = await timeMs(() => {
    for (const line of lines) sink += (JSON.parse(line) as { seq: number }).seq;
  });
  const parseValidateMs = await timeMs(() => {
    for (const line of lines) if (parseRuntimeEvent(line).ok) sink++;
  });
  const validateKnownSizeMs = await timeMs(() => {
    for (let i = 0; i < parsed.length; i++) if (validateRuntimeEvent(parsed[i], { serializedBytes: lineBytes[i]! }).ok) sink++;
  });
  const validateObjectMs = await timeMs(() => {
    for (const value of parsed) if (validateRuntimeEvent(value).ok) sink++;
  });
  if (sink === 0) throw new Error('nothing measured');

  const perSecond = (ms: number) => (EVENTS / ms) * 1000;
  const parseRate = perSecond(parseMs);
  const baseline = `JSON.parse alone on the same ${EVENTS} lines: ${Math.round(parseRate)} events/s`;
  r.record({ name: 'events: parseRuntimeEvent (parse + schema + size) throughput', value: perSecond(parseValidateMs), unit: 'events/s', baseline, ratio: parseMs / parseValidateMs });
  r.record({ name: 'events: validateRuntimeEvent on parsed events, size known (consumer path)', value: perSecond(validateKnownSizeMs), unit: 'events/s', baseline, ratio: parseMs / validateKnownSizeMs });
  r.record({ name: 'events: validateRuntimeEvent on parsed events, size by re-serialising (producer path)', value: perSecond(validateObjectMs), unit: 'events/s', baseline, ratio: parseMs / validateObjectMs });

  // Compression of one batch per 1,000 events, as the agent would flush them.
  let raw = 0;
  let encoded = 0;
  for (let i = 0; i < events.length; i += 1000) {
    const slice = events.slice(i, i + 1000);
    raw += slice.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e), 'utf8') + 1, 0);
    encoded += Buffer.byteLength(encodeBatch(slice).data, 'utf8');
  }
  r.record({
    name: 'events: batch size gzip+base64 (1,000-event batches)',
    value: encoded / EVENTS,
    unit: 'bytes/event',
    baseline: `raw JSON lines: ${(raw / EVENTS).toFixed(0)} bytes/event`,
    ratio: raw / encoded,
  });

  // What EventBridge bills: 64 KB chunks for the whole stream, compressed versus plain JSON.
  const options = { source: SOURCE, detailType: DETAIL_TYPE_EVENTS };
  const chunks = (packed: { entryBytes: number }[]) => packed.reduce((n, p) => n + Math.ceil(p.entryBytes / 65536), 0);
  let packedGzip: ReturnType<typeof packBatches> = [];
  const packMs = await timeMs(() => {
    packedGzip = packBatches(events, options);
  }, 3);
  const packedJson = packBatches(events, { ...options, encoding: 'json' });
  const gzipChunks = chunks(packedGzip);
  const jsonChunks = chunks(packedJson);
  r.record({
    name: 'events: EventBridge 64 KB chunks per 1,000 events (packBatches, gzip+base64)',
    value: (gzipChunks / EVENTS) * 1000,
    unit: 'chunks/1000 events',
    baseline: `packed as plain JSON: ${((jsonChunks / EVENTS) * 1000).toFixed(2)} chunks/1000 events`,
    ratio: jsonChunks / gzipChunks,
  });
  const stringifyMs = await timeMs(() => {
    for (const e of events) sink += JSON.stringify(e).length;
  });
  r.record({
    name: 'events: packBatches throughput (serialise + gzip + split)',
    value: perSecond(packMs),
    unit: 'events/s',
    baseline: `JSON.stringify alone: ${Math.round(perSecond(stringifyMs))} events/s`,
    ratio: stringifyMs / packMs,
  });
}
