/** GuardDuty's limit table (lib/agent-limits.ts) and its on-instance twin (scripts/limits.sh) agree. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AgentLimitsError,
  computeAgentLimits,
  defaultMemoryMaxMb,
  memTotalMbFromMeminfo,
  renderLimitsDropIn,
  systemdCpuQuotaPercent,
} from '../../lib/agent-limits';

const LIMITS_SH = join(__dirname, '..', '..', 'agent-bootstrap', 'scripts', 'limits.sh');

describe('GuardDuty memory table boundaries', () => {
  it.each([
    [512, 128],
    [7.5 * 1024, 128],
    [8 * 1024 - 1, 128],
    [8 * 1024, 256],
    [16 * 1024, 256],
    [32 * 1024 - 1, 256],
    [32 * 1024, 1024],
    [768 * 1024, 1024],
  ])('%d MB of RAM -> MemoryMax %d MB', (ramMb, expected) => {
    expect(defaultMemoryMaxMb(ramMb)).toBe(expected);
  });

  it('rejects a RAM size that is not positive', () => {
    expect(() => defaultMemoryMaxMb(0)).toThrow(AgentLimitsError);
  });
});

describe('CPU: a share of ALL vCPUs becomes systemd per-core CPUQuota', () => {
  it.each([
    [1, 10, 10],
    [2, 10, 20],
    [4, 10, 40],
    [96, 10, 960],
    [2, 2.5, 5],
    [3, 2.5, 8],
    [1, 0.4, 1],
  ])('%d vCPUs at %d %% -> CPUQuota=%d%%', (vcpus, percent, quota) => {
    expect(systemdCpuQuotaPercent(vcpus, percent)).toBe(quota);
  });

  it('rejects shares outside (0, 100] and fractional vCPU counts', () => {
    expect(() => systemdCpuQuotaPercent(2, 0)).toThrow(AgentLimitsError);
    expect(() => systemdCpuQuotaPercent(2, 101)).toThrow(/cpuQuotaPercent/);
    expect(() => systemdCpuQuotaPercent(1.5, 10)).toThrow(/vcpus/);
  });
});

describe('computeAgentLimits', () => {
  it('defaults to GuardDuty, with MemoryHigh and the V8 heap below MemoryMax', () => {
    expect(computeAgentLimits({ vcpus: 2, ramMb: 3900 })).toEqual({ systemdCpuQuotaPercent: 20, memoryMaxMb: 128, memoryHighMb: 115, heapMb: 76 });
  });

  it('takes each override on its own', () => {
    expect(computeAgentLimits({ vcpus: 8, ramMb: 64 * 1024 }, { cpuQuotaPercent: 5 })).toMatchObject({ systemdCpuQuotaPercent: 40, memoryMaxMb: 1024 });
    expect(computeAgentLimits({ vcpus: 8, ramMb: 64 * 1024 }, { memoryMaxMb: 300 })).toMatchObject({ systemdCpuQuotaPercent: 80, memoryMaxMb: 300, memoryHighMb: 270, heapMb: 180 });
    expect(computeAgentLimits({ vcpus: 8, ramMb: 1024 }, { memoryMaxMb: 'auto' }).memoryMaxMb).toBe(128);
  });

  it('reads MemTotal from /proc/meminfo', () => {
    expect(memTotalMbFromMeminfo('MemTotal:        8039620 kB\nMemFree:  1 kB\n')).toBe(7851);
    expect(() => memTotalMbFromMeminfo('MemFree: 1 kB\n')).toThrow(/MemTotal/);
  });
});

describe('limits.sh computes the same drop-in on the instance', () => {
  const dir = mkdtempSync(join(tmpdir(), 'picket-limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function runLimitsSh(vcpus: number, ramMb: number, cpu: string, memory: string): { status: number | null; stdout: string; stderr: string } {
    const proc = join(dir, `${vcpus}-${ramMb}`);
    mkdirSync(proc, { recursive: true });
    writeFileSync(join(proc, 'meminfo'), `MemTotal:       ${ramMb * 1024} kB\n`);
    const out = spawnSync('bash', [LIMITS_SH, cpu, memory], { env: { PATH: '/usr/bin:/bin', PICKET_PROC: proc, PICKET_NPROC: String(vcpus) }, encoding: 'utf8' });
    return { status: out.status, stdout: out.stdout, stderr: out.stderr };
  }

  it.each([
    [1, 2048, '10', ''],
    [2, 8 * 1024 - 1, '10', 'auto'],
    [2, 8 * 1024, '10', 'auto'],
    [4, 32 * 1024 - 1, '10', ''],
    [4, 32 * 1024, '10', ''],
    [64, 512 * 1024, '10', ''],
    [3, 4096, '2.5', '512'],
    [16, 4096, '100', '64'],
  ])('%d vCPUs, %d MB RAM, cpu %s, memory %p', (vcpus, ramMb, cpu, memory) => {
    const expected = renderLimitsDropIn(computeAgentLimits({ vcpus, ramMb }, { cpuQuotaPercent: Number(cpu), memoryMaxMb: memory === '' ? 'auto' : memory === 'auto' ? 'auto' : Number(memory) }));
    expect(runLimitsSh(vcpus, ramMb, cpu, memory)).toEqual({ status: 0, stdout: expected, stderr: '' });
  });

  it.each([
    ['0', ''],
    ['10', '32'],
    ['10', '1;reboot'],
    ['abc', ''],
  ])('refuses cpu %p memory %p with a message naming the parameter', (cpu, memory) => {
    const out = runLimitsSh(2, 4096, cpu, memory);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toMatch(/parameter (cpuQuotaPercent|memoryMaxMb) is/);
  });
});
