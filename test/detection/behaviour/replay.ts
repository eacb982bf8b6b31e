/**
 * Test harness: a real audit capture → the audit parser → the detection engine with the behaviour
 * rules → findings. The same path `picket detect --format auditd` takes, with the baseline learning
 * period set to zero (a capture is minutes long; production learns for 24 h).
 */
import { readFileSync } from 'node:fs';
import { parseAuditText } from '../../../agent-bootstrap/agent/audit/index';
import { DetectionEngine } from '../../../lambda/domain/detection/engine';
import type { IntelSet } from '../../../lambda/domain/detection/intel-set';
import type { DetectionRule } from '../../../lambda/domain/detection/rule';
import { BEHAVIOUR_RULES } from '../../../lambda/domain/detection/rules/behaviour/index';
import type { ActivityEvent, RuntimeEvent } from '../../../lambda/domain/events/runtime-event';
import type { Finding } from '../../../lambda/domain/findings/finding';

export const INSTANCE_ID = 'i-0123456789abcdef0';

export interface ReplayOptions {
  readonly intel?: IntelSet;
  /** @default 0 */
  readonly learningPeriodMs?: number;
  readonly rules?: readonly DetectionRule[];
  /**
   * SHA-256 per executable path, as the live agent computes at exec time (offline logs carry none):
   * lets hash-list tests run on a real capture.
   */
  readonly sha256ByExe?: Readonly<Record<string, string>>;
}

export interface ReplayResult {
  readonly events: readonly ActivityEvent[];
  readonly findings: readonly Finding[];
  readonly ruleErrors: Record<string, number>;
}

export function parseCapture(path: string, sha256ByExe?: Readonly<Record<string, string>>): ActivityEvent[] {
  const { events } = parseAuditText(readFileSync(path, 'utf8'), { instanceId: INSTANCE_ID, procRoot: null });
  return events
    .filter((e: RuntimeEvent): e is ActivityEvent => e.kind !== 'heartbeat')
    .map((e) => {
      const sha = sha256ByExe?.[e.process.exe];
      return sha ? ({ ...e, process: { ...e.process, sha256: sha } } as ActivityEvent) : e;
    });
}

export function replayEvents(events: readonly ActivityEvent[], options: ReplayOptions = {}): ReplayResult {
  const engine = new DetectionEngine({
    rules: options.rules ?? BEHAVIOUR_RULES,
    accountId: '123456789012',
    region: 'eu-west-1',
    detectorId: 'picket-behaviour-test',
    ...(options.intel ? { intel: options.intel } : {}),
    stateOptions: { learningPeriodMs: options.learningPeriodMs ?? 0 },
  });
  for (const e of events) engine.process(e, INSTANCE_ID);
  engine.flushAll();
  return { events, findings: engine.cachedFindings(), ruleErrors: { ...engine.stats.ruleErrors } };
}

export function replayCapture(path: string, options: ReplayOptions = {}): ReplayResult {
  return replayEvents(parseCapture(path, options.sha256ByExe), options);
}

/** MEDIUM starts at 4.0 in GuardDuty's bands (Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9). */
export const MEDIUM_FLOOR = 4;

export function summary(f: Finding): string {
  const p = f.service.runtimeDetails?.process;
  return `${f.type} sev=${f.severity} count=${f.service.count} ${p?.name ?? ''}: ${f.description}`;
}
