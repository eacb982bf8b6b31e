import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAgentArgs, UsageError } from '../../agent-bootstrap/agent/cli-args';
import { AgentConfigError, DEFAULT_CONFIG, loadAgentConfig, resolveAgentConfig } from '../../agent-bootstrap/agent/config';
import { localInstanceId } from '../../agent-bootstrap/agent/local';
import { SequenceAllocator } from '../../agent-bootstrap/agent/state/sequence';

describe('agent configuration and command line', () => {
  it('overlays the file on the defaults', () => {
    const config = resolveAgentConfig({ eventBusName: 'arn:aws:events:us-east-1:123456789012:event-bus/picket', flushIntervalMs: 250 });
    expect(config.flushIntervalMs).toBe(250);
    expect(config.spoolMaxBytes).toBe(256 * 1024 * 1024);
    expect(config.heartbeatIntervalMs).toBe(60_000);
    expect(DEFAULT_CONFIG.reader).toBe('auto');
  });

  it('names the file, the key, the value and what was expected; unknown keys are errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picket-cfg-'));
    try {
      const path = join(dir, 'agent.json');
      writeFileSync(path, JSON.stringify({ flushIntervalMs: -1, spoolMaxByte: 5, reader: 'kafka' }));
      const error = (() => {
        try {
          loadAgentConfig(path);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(AgentConfigError);
      expect(error!.message).toContain(path);
      expect(error!.message).toContain('"flushIntervalMs" is -1, expected an integer within 1..3600000');
      expect(error!.message).toContain('unknown key "spoolMaxByte"');
      expect(error!.message).toContain('"reader" is "kafka"');
      writeFileSync(path, '{ not json');
      expect(() => loadAgentConfig(path)).toThrow(/is not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses --config and rejects unknown arguments with the usage', () => {
    expect(parseAgentArgs(['--config', '/etc/picket/agent.json'])).toMatchObject({ configPath: '/etc/picket/agent.json' });
    expect(parseAgentArgs(['--config=/x.json', '--print-config'])).toMatchObject({ configPath: '/x.json', printConfig: true });
    expect(() => parseAgentArgs(['--config'])).toThrow(UsageError);
    expect(() => parseAgentArgs(['--bogus'])).toThrow(/unknown argument "--bogus"[\s\S]*usage: picket-agent/);
  });

  it('keeps sequence numbers strictly increasing across restarts, crashes included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picket-seq-'));
    try {
      let clock = 1_000;
      const a = new SequenceAllocator({ stateDir: dir, blockSize: 10, now: () => clock });
      const fromA = Array.from({ length: 25 }, () => a.next());
      // "Crash": a new allocator without any shutdown hook, clock going backwards.
      clock = 1;
      const b = new SequenceAllocator({ stateDir: dir, blockSize: 10, now: () => clock });
      const fromB = Array.from({ length: 5 }, () => b.next());
      const all = [...fromA, ...fromB];
      for (let i = 1; i < all.length; i++) expect(all[i]!).toBeGreaterThan(all[i - 1]!);
      // A wiped state dir still starts at the clock (microseconds), not at 1.
      const wiped = new SequenceAllocator({ stateDir: join(dir, 'fresh'), now: () => 1_780_000_000_000 });
      expect(wiped.next()).toBe(1_780_000_000_000_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('derives a contract-valid local instance id from the machine id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'picket-mid-'));
    try {
      writeFileSync(join(dir, 'machine-id'), '3d1219c7c4c5404aa5f0e0b0c0d0e0f0\n');
      expect(localInstanceId(join(dir, 'machine-id'))).toBe('i-3d1219c7c4c5404aa');
      expect(localInstanceId(join(dir, 'missing'))).toBe('i-00000000000000000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
