/**
 * Entry point of the host agent (bundled by esbuild into one file, run by the systemd unit):
 *   node picket-agent.js --config /etc/picket/agent.json
 * Exit codes: 0 after a graceful stop, 2 for bad usage or configuration, 1 when the agent failed
 * (systemd restarts it; the spool and sequence state make restarts lossless and duplicate-safe).
 */
import { existsSync } from 'node:fs';
import { startAgent } from './agent';
import { auditPipelineFactory } from './audit-pipeline-factory';
import { DEFAULT_CONFIG_PATH, parseAgentArgs, USAGE, UsageError } from './cli-args';
import { AgentConfigError, type AgentConfig, DEFAULT_CONFIG, loadAgentConfig } from './config';
import { createLogger, describeError } from './util/log';
import { AGENT_VERSION } from './version';

async function main(argv: readonly string[]): Promise<number> {
  let config: AgentConfig;
  try {
    const args = parseAgentArgs(argv);
    if (args.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (args.version) {
      process.stdout.write(`${AGENT_VERSION}\n`);
      return 0;
    }
    const path = args.configPath ?? (existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : undefined);
    config = path ? loadAgentConfig(path) : DEFAULT_CONFIG;
    if (args.noDns) config = { ...config, dnsCapture: 'off' };
    if (args.printConfig) {
      process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
      return 0;
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof AgentConfigError) {
      process.stderr.write(`picket-agent: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const logger = createLogger(config.logLevel);
  const agent = await startAgent(config, { pipelineFactory: auditPipelineFactory, logger });
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { signal });
      agent.stop().then(resolve, (error) => {
        logger.error('graceful stop failed', { error: describeError(error) });
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  const readerFailed = agent.done.then(
    () => undefined,
    (error: unknown) => error,
  );
  const outcome = await Promise.race([stopped.then(() => undefined), readerFailed]);
  if (outcome !== undefined && !stopping) {
    logger.error('audit reader failed; stopping so the service manager restarts the agent', { error: describeError(outcome) });
    stopping = true;
    await agent.stop();
    return 1;
  }
  await stopped;
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Timers are unref'd and sockets closed: the process ends by itself; this is only a backstop.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error) => {
    process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level: 'error', message: 'picket agent failed', error: describeError(error) })}\n`);
    process.exit(1);
  },
);
