/** Hand-built runtime events (contract v1) and a one-rule compiler for Sigma semantics tests. */
import type { ActivityEvent, FileEvent, NetEvent, ProcessExecEvent, ProcessInfo } from '../../../lambda/domain/events/runtime-event';
import { loadSigmaRules, type SigmaLoadResult } from '../../../lambda/domain/detection/sigma';

let seq = 0;

export function proc(over: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    pid: 4242,
    ppid: 4241,
    exe: '/usr/bin/true',
    argv: ['true'],
    cwd: '/root',
    uid: 0,
    euid: 0,
    gid: 0,
    user: 'root',
    uuid: 'uuid-4242',
    ...over,
  };
}

export function exec(exe: string, argv: readonly string[], extra: Partial<ProcessExecEvent> & { parent?: { exe: string; argv?: string[] } } = {}): ProcessExecEvent {
  const { parent, ...rest } = extra;
  return {
    v: 1,
    kind: 'process_exec',
    ts: '2026-11-29T05:00:00.000Z',
    instanceId: 'i-0123456789abcdef0',
    seq: ++seq,
    process: proc({ exe, argv }),
    lineage: parent ? [{ pid: 4241, exe: parent.exe, ...(parent.argv ? { argv: parent.argv } : {}) }] : [],
    sensor: 'auditd',
    success: true,
    ...rest,
  };
}

export function connect(remoteIp: string, remotePort: number, exe = '/usr/bin/bash', kind: NetEvent['kind'] = 'net_connect'): NetEvent {
  return {
    v: 1,
    kind,
    ts: '2026-11-29T05:00:00.000Z',
    instanceId: 'i-0123456789abcdef0',
    seq: ++seq,
    process: proc({ exe, argv: [exe] }),
    lineage: [],
    net: { family: remoteIp.includes(':') ? 'inet6' : 'inet', protocol: 'tcp', remoteIp, remotePort, localIp: '10.0.0.5', localPort: 40000 },
  };
}

export function fileWrite(path: string, exe = '/usr/bin/dash', kind: FileEvent['kind'] = 'file_write', newPath?: string): FileEvent {
  return {
    v: 1,
    kind,
    ts: '2026-11-29T05:00:00.000Z',
    instanceId: 'i-0123456789abcdef0',
    seq: ++seq,
    process: proc({ exe, argv: [exe] }),
    lineage: [],
    file: { path, ...(newPath ? { newPath } : {}) },
  };
}

/** A minimal valid rule around a detection block (YAML text indented by 4 under `detection:`). */
export function ruleText(detection: string, opts: { logsource?: string; level?: string; title?: string; id?: string } = {}): string {
  return [
    `title: ${opts.title ?? 'Test Rule'}`,
    `id: ${opts.id ?? '11111111-2222-4333-8444-555555555555'}`,
    'status: test',
    'author: Picket tests',
    'logsource:',
    opts.logsource ?? '    product: linux\n    category: process_creation',
    'detection:',
    detection.replace(/^\n/, '').replace(/\s+$/, ''),
    `level: ${opts.level ?? 'medium'}`,
    '',
  ].join('\n');
}

/** Loads one rule; throws with the report when it did not load. */
export function compileOne(text: string): SigmaLoadResult['rules'][number] {
  const result = loadSigmaRules([{ path: 'test.yml', text }]);
  const rule = result.rules[0];
  if (!rule) throw new Error(`rule did not load: ${JSON.stringify(result.report.rules[0]?.issues)}`);
  return rule;
}

export function matches(rule: SigmaLoadResult['rules'][number], event: ActivityEvent): boolean {
  return rule.evaluate(event).length > 0;
}

export function skipped(text: string) {
  const result = loadSigmaRules([{ path: 'test.yml', text }]);
  expect(result.rules).toHaveLength(0);
  return result.report.rules[0]!;
}
