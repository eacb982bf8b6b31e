/**
 * Sigma custom-rule costs, each against a baseline measured in the same run:
 * - matching throughput of every loadable SigmaHQ Linux rule (../shared/sigma-rules, DRL 1.1) over a
 *   generated 100k-event stream, against JSON.parse of the same stream (ratio ≥ 0.5 keeps custom rules
 *   cheaper than decoding the events they run on);
 * - JSON.parse + Sigma matching against JSON.parse alone (the cost a detector pays per event);
 * - load + compile time of the 210 rule files against parsing their YAML alone.
 * The stream is generated with a fixed seed: execs with lineage (a few hitting rules), connections,
 * file writes; documentation addresses only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { DetectionRule, RuleContext } from '../lambda/domain/detection/rule';
import { loadSigmaRules, type SigmaRuleFile } from '../lambda/domain/detection/sigma';
import type { ActivityEvent, EventKind } from '../lambda/domain/events/runtime-event';
import { type Reporter, timeMs } from './harness';
import { EVERYDAY_EXECS, type Exec } from './detect-stream';
import { prng } from './prng';

const RULE_DIR = path.resolve(__dirname, '../../shared/sigma-rules/linux');
const EVENTS = 100_000;


function ruleFiles(): SigmaRuleFile[] {
  const files: SigmaRuleFile[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(RULE_DIR, rel), { withFileTypes: true })) {
      const p = path.join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yml')) files.push({ path: p, text: readFileSync(path.join(RULE_DIR, p), 'utf8') });
    }
  };
  walk('');
  return files;
}

function streamLines(n: number): string[] {
  const rnd = prng(20261129);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const tools: readonly Exec[] = [
    ...EVERYDAY_EXECS,
    ['/usr/bin/node', ['node', '/srv/app/server.js', '--port', '8080', '--workers', '4']],
    ['/usr/bin/tar', ['tar', '-czf', '/var/backups/app.tgz', '/srv/app/data']],
    ['/usr/bin/whoami', ['whoami']],
    ['/usr/bin/dash', ['sh', '-c', 'echo aWQK | base64 -d | sh']],
  ];
  const parents = ['/usr/bin/bash', '/usr/lib/systemd/systemd', '/usr/sbin/cron', '/usr/bin/python3.11'];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    const [exe, argv] = pick(tools);
    const base = {
      v: 1,
      ts: new Date(1_795_000_000_000 + i * 10).toISOString(),
      instanceId: 'i-0123456789abcdef0',
      seq: i + 1,
      process: { pid: 1000 + (i % 30000), ppid: 999, exe, argv, cwd: '/srv/app', uid: 1000, euid: 1000, gid: 1000, user: 'app', uuid: `u-${i}` },
      lineage: [
        { pid: 999, exe: pick(parents), argv: ['bash', '-c', `${argv.join(' ')}`] },
        { pid: 1, exe: '/usr/lib/systemd/systemd', argv: ['/sbin/init'] },
      ],
      sensor: 'auditd',
      auditKey: 'picket_exec',
      success: true,
    };
    if (r < 0.6) lines.push(JSON.stringify({ ...base, kind: 'process_exec', syscall: 'execve' }));
    else if (r < 0.8) {
      lines.push(
        JSON.stringify({
          ...base,
          kind: 'net_connect',
          net: { family: 'inet', protocol: 'tcp', remoteIp: `198.51.100.${Math.floor(rnd() * 255)}`, remotePort: pick([443, 80, 5432, 4444]), localIp: '10.0.0.5', localPort: 40000 + (i % 20000) },
        }),
      );
    } else lines.push(JSON.stringify({ ...base, kind: 'file_write', file: { path: pick(['/srv/app/data/cache.db', '/var/log/app/app.log', '/tmp/upload.bin', '/etc/cron.d/app']) } }));
  }
  return lines;
}

export default async function (r: Reporter): Promise<void> {
  if (!existsSync(RULE_DIR)) {
    console.warn(`sigma bench skipped: ${RULE_DIR} not found`);
    return;
  }
  const files = ruleFiles();

  // Load/compile vs YAML parsing alone.
  let loaded: DetectionRule[] = [];
  const loadMs = await timeMs(() => {
    loaded = loadSigmaRules(files).rules;
  });
  const yamlMs = await timeMs(() => {
    for (const f of files) parseAllDocuments(f.text);
  });
  r.record({
    name: `Sigma load+compile of ${files.length} SigmaHQ files (${loaded.length} load)`,
    value: Math.round(loadMs),
    unit: 'ms',
    baseline: `YAML parse alone of the same files: ${yamlMs.toFixed(0)} ms`,
    ratio: Number((yamlMs / loadMs).toFixed(2)),
  });

  const byKind = new Map<EventKind, DetectionRule[]>();
  for (const rule of loaded) for (const k of rule.kinds) byKind.set(k, [...(byKind.get(k) ?? []), rule]);
  const ctx = {} as RuleContext;
  const lines = streamLines(EVENTS);
  const bytes = lines.reduce((n, l) => n + l.length + 1, 0);

  let parsed: ActivityEvent[] = [];
  const parseMs = await timeMs(() => {
    parsed = lines.map((l) => JSON.parse(l) as ActivityEvent);
  });
  let hits = 0;
  const matchMs = await timeMs(() => {
    hits = 0;
    for (const e of parsed) {
      const rules = byKind.get(e.kind);
      if (rules) for (const rule of rules) hits += rule.evaluate(e, ctx).length;
    }
  });
  const bothMs = await timeMs(() => {
    for (const l of lines) {
      const e = JSON.parse(l) as ActivityEvent;
      const rules = byKind.get(e.kind);
      if (rules) for (const rule of rules) rule.evaluate(e, ctx);
    }
  });
  const rate = (ms: number) => Math.round(EVENTS / (ms / 1000));
  r.record({
    name: `Sigma matching, ${loaded.length} rules (${hits} hits in ${EVENTS} events, ${(bytes / 1e6).toFixed(1)} MB)`,
    value: rate(matchMs),
    unit: 'events/s',
    baseline: `JSON.parse of the same stream: ${rate(parseMs)} events/s`,
    ratio: Number((parseMs / matchMs).toFixed(2)),
    target: '>= 0.5',
    met: parseMs / matchMs >= 0.5,
  });
  r.record({
    name: 'JSON.parse + Sigma matching',
    value: rate(bothMs),
    unit: 'events/s',
    baseline: `JSON.parse alone: ${rate(parseMs)} events/s`,
    ratio: Number((parseMs / bothMs).toFixed(2)),
  });
}
