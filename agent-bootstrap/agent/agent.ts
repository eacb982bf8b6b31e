/**
 * The shipping agent, wired: reader -> audit pipeline -> batcher -> delivery queue (PutEvents, spool), plus the
 * heartbeat timer. main.ts builds it from the config file; tests build it with a fake IMDS, a local PutEvents
 * server and an injected line source.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AGENT_SOURCE_PREFIX } from '../../lambda/domain/events/runtime-event';
import { type Collector, type CollectorStats, startCollector } from './collector';
import type { AgentConfig } from './config';
import { Batcher, type BatcherStats } from './delivery/batcher';
import { DeliveryQueue, type DeliveryStats } from './delivery/delivery-queue';
import { EventBridgeTransport, type PutEventsTransport, createEventBridgeClient } from './delivery/put-events-transport';
import { Spool, type SpoolStats } from './delivery/spool';
import { type AgentCounters, HeartbeatSource } from './heartbeat/heartbeat';
import { type InstanceIdentity, fetchInstanceIdentity } from './identity/imds';
import type { PipelineFactory } from './pipeline-port';
import type { LineSource } from './readers/types';
import { SequenceAllocator } from './state/sequence';
import { type AgentLogger, createLogger, describeError } from './util/log';

export interface AgentDeps {
  /** Builds the audit pipeline (main.ts passes the real AuditPipeline). */
  readonly pipelineFactory: PipelineFactory;
  readonly logger?: AgentLogger;
  /** A ready client (tests pass one with static credentials); else one is built from the config. */
  readonly eventBridgeClient?: EventBridgeClient;
  /** Replaces PutEvents entirely (tests). */
  readonly transport?: PutEventsTransport;
  /** Replaces the configured reader (tests, other sensors). */
  readonly lineSource?: LineSource;
}

export interface AgentStats {
  readonly counters: AgentCounters;
  readonly collector: CollectorStats;
  readonly batcher: BatcherStats;
  readonly delivery: DeliveryStats;
  readonly spool: SpoolStats;
  readonly lastSeq: number;
}

export interface RunningAgent {
  readonly identity: InstanceIdentity;
  /** `picket.agent/<instance ARN>` */
  readonly source: string;
  /** Settles when reading ends: after stop(), or rejects when the reader failed (main.ts then exits for a restart). */
  readonly done: Promise<void>;
  stats(): AgentStats;
  /** Builds and queues a heartbeat now (the timer does it every heartbeatIntervalMs). */
  heartbeatNow(): Promise<void>;
  /** Flushes the batcher and resolves when everything queued so far has been delivered. */
  drain(): Promise<void>;
  /** Graceful stop (SIGTERM): stop reading, flush the pipeline and batcher, move undelivered entries to the spool. */
  stop(): Promise<void>;
}

export async function startAgent(config: AgentConfig, deps: AgentDeps): Promise<RunningAgent> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  if (!deps.transport && config.eventBusName === '') {
    throw new Error('agent config: "eventBusName" is required to ship events (set it to the runtime bus ARN)');
  }
  const identity: InstanceIdentity = config.identity ?? (await fetchInstanceIdentity({ endpoint: config.imdsEndpoint }));
  const source = `${AGENT_SOURCE_PREFIX}${identity.instanceArn}`;
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const sequence = new SequenceAllocator({ stateDir: config.stateDir });
  const spool = new Spool({ dir: join(config.stateDir, 'spool'), maxBytes: config.spoolMaxBytes, fsync: config.spoolFsync, logger });
  const transport =
    deps.transport ??
    new EventBridgeTransport({
      client:
        deps.eventBridgeClient ??
        createEventBridgeClient({ region: config.region ?? identity.region, endpoint: config.endpoint, requestTimeoutMs: config.requestTimeoutMs }),
      source,
      eventBusName: config.eventBusName,
    });
  const delivery = new DeliveryQueue({
    transport,
    spool,
    source,
    backoff: { baseDelayMs: config.retryBaseDelayMs, maxDelayMs: config.retryMaxDelayMs },
    directAttempts: config.directAttempts,
    maxEntriesPerCall: config.maxEntriesPerCall,
    logger,
  });
  delivery.start();
  const batcher = new Batcher({
    source,
    sink: (entry) => delivery.enqueue(entry),
    flushIntervalMs: config.flushIntervalMs,
    targetEntryBytes: config.targetEntryBytes,
    urgentFlush: config.urgentFlush,
    onEncodeError: (error, events) => logger.error('events too large to encode; dropped', { events, error: describeError(error) }),
  });
  const collector: Collector = startCollector(
    {
      instanceId: identity.instanceId,
      nextSeq: () => sequence.next(),
      pipelineFactory: deps.pipelineFactory,
      reader: config.reader,
      socketPath: config.socketPath,
      auditLogPath: config.auditLogPath,
      startAt: config.startAt,
      stateDir: config.stateDir,
      procRoot: config.procRoot,
      hashExecutables: config.hashExecutables,
      excludePids: [process.pid],
      lineSource: deps.lineSource,
      dns: { mode: config.dnsCapture, resolvectlPath: config.resolvectlPath },
      logger,
    },
    (event) => batcher.add(event),
  );

  const counters = (): AgentCounters => {
    const d = delivery.stats();
    const s = spool.stats();
    return {
      eventsRead: collector.stats().eventsEmitted,
      eventsSent: d.eventsSent,
      eventsDropped: s.droppedEvents + d.eventsRejected + batcher.stats().encodeDropped,
      spoolBytes: s.pendingBytes,
    };
  };
  const heartbeats = new HeartbeatSource({ instanceId: identity.instanceId, nextSeq: () => sequence.next(), counters, auditctlPath: config.auditctlPath });
  let stopping = false;
  const heartbeatNow = async () => {
    try {
      const event = await heartbeats.next();
      if (!stopping) batcher.addHeartbeat(event);
    } catch (error) {
      logger.error('heartbeat failed', { error: describeError(error) });
    }
  };
  const heartbeatTimer = setInterval(() => void heartbeatNow(), config.heartbeatIntervalMs);
  heartbeatTimer.unref();
  void heartbeatNow(); // coverage sees the agent as soon as it is up

  logger.info('picket agent started', { instanceId: identity.instanceId, source, eventBusName: config.eventBusName, stateDir: config.stateDir });

  return {
    identity,
    source,
    done: collector.done,
    stats: () => ({
      counters: counters(),
      collector: collector.stats(),
      batcher: batcher.stats(),
      delivery: delivery.stats(),
      spool: spool.stats(),
      lastSeq: sequence.last,
    }),
    heartbeatNow,
    async drain() {
      batcher.flush();
      await delivery.whenIdle();
    },
    async stop() {
      stopping = true;
      clearInterval(heartbeatTimer);
      await collector.stop();
      batcher.flush();
      await delivery.stop();
      collector.checkpoint();
      logger.info('picket agent stopped', { ...counters(), lastSeq: sequence.last });
    },
  };
}
