/** Plugs the real audit parser (./audit, AuditPipeline) into the collector's port. */
import { AuditPipeline } from './audit/index';
import type { EventPipeline, PipelineFactory } from './pipeline-port';

export const auditPipelineFactory: PipelineFactory = (options): EventPipeline =>
  new AuditPipeline({
    instanceId: options.instanceId,
    procRoot: options.procRoot ?? '/proc',
    hashExecutables: options.hashExecutables ?? true,
    nextSeq: options.nextSeq,
    excludePids: options.excludePids ?? [process.pid],
  });
