/**
 * Local mode (`picket watch`): the collector without shipping. Reads the live audit trail (af_unix socket or
 * audit.log), runs the same AuditPipeline as the agent, and hands every runtime event to a callback in this
 * process, so the CLI can run the detector on it and print findings as they happen.
 *
 *   import { startLocalCollector } from '../agent-bootstrap/agent/local';
 *   const collector = startLocalCollector({ reader: 'auto' }, (event) => engine.process(event));
 *   process.on('SIGINT', () => void collector.stop());
 *   await collector.done;
 *
 * Nothing is persisted unless `stateDir` is given (then the tail position is kept); sequence numbers are a
 * counter from the wall clock in microseconds, so they still increase across runs.
 *
 * Host DNS results (systemd-resolved's monitor, docs/agent-dns.md) come through the same callback when resolvectl
 * and resolved are there (`dns: { mode: 'auto' }` by default; pass `{ mode: 'off' }` to leave them out).
 */
import { readFileSync } from 'node:fs';
import type { RuntimeEvent } from '../../lambda/domain/events/runtime-event';
import { auditPipelineFactory } from './audit-pipeline-factory';
import { type Collector, type CollectorOptions, startCollector } from './collector';

export type LocalCollectorOptions = Partial<Omit<CollectorOptions, 'pipelineFactory'>>;

export function startLocalCollector(options: LocalCollectorOptions, onEvent: (event: RuntimeEvent) => void): Collector {
  let seq = Date.now() * 1000;
  return startCollector(
    {
      ...options,
      pipelineFactory: auditPipelineFactory,
      dns: options.dns ?? { mode: 'auto' },
      instanceId: options.instanceId ?? localInstanceId(),
      nextSeq: options.nextSeq ?? (() => ++seq),
    },
    onEvent,
  );
}

/**
 * An instance id for a host that is not (known to be) EC2: `i-` and 17 hex digits of /etc/machine-id, stable
 * per host and valid for the event contract; `i-00000000000000000` when there is no machine id.
 */
export function localInstanceId(machineIdPath = '/etc/machine-id'): string {
  try {
    const id = readFileSync(machineIdPath, 'utf8').trim().toLowerCase();
    if (/^[0-9a-f]{17,}$/.test(id)) return `i-${id.slice(0, 17)}`;
  } catch {
    // fall through
  }
  return 'i-00000000000000000';
}
