import { DEFAULT_WORKLOAD, guardDutyCostForVcpuHours, guardDutyMonthlyCost, monthlyCostPerInstance } from '../../lambda/domain/cost/model';
import { HOURS_PER_MONTH } from '../../lambda/domain/cost/pricing';

describe('cost model', () => {
  it('applies GuardDuty Runtime Monitoring volume tiers', () => {
    expect(guardDutyMonthlyCost(2)).toBeCloseTo(3.0);
    expect(guardDutyMonthlyCost(500)).toBeCloseTo(750);
    expect(guardDutyMonthlyCost(600)).toBeCloseTo(750 + 100 * 0.75);
    expect(guardDutyMonthlyCost(6000)).toBeCloseTo(750 + 4500 * 0.75 + 1000 * 0.25);
    expect(guardDutyCostForVcpuHours(2 * HOURS_PER_MONTH)).toBeCloseTo(3.0);
  });

  it('bills one EventBridge event per flush while batches stay under 64 KB', () => {
    const quiet = monthlyCostPerInstance({ ...DEFAULT_WORKLOAD, eventsPerSecond: 10, flushIntervalMs: 1000 });
    // 10 events/s * 120 B fits one chunk; one batch per second all month.
    expect(quiet.batchesPerMonth).toBeCloseTo(HOURS_PER_MONTH * 3600);
    expect(quiet.eventBridge).toBeCloseTo(((HOURS_PER_MONTH * 3600 + 60 * HOURS_PER_MONTH) / 1e6) * 1.0, 3);
  });

  it('switches to size-driven batches when the byte rate fills 64 KB faster than the timer', () => {
    const busy = monthlyCostPerInstance({ ...DEFAULT_WORKLOAD, eventsPerSecond: 1000, flushIntervalMs: 10_000 });
    const bytesPerSecond = 1000 * DEFAULT_WORKLOAD.bytesPerEvent;
    expect(busy.batchesPerMonth).toBeCloseTo((bytesPerSecond / (64 * 1024)) * HOURS_PER_MONTH * 3600, 0);
  });

  it('costs less with a longer flush interval and more with more events', () => {
    const fast = monthlyCostPerInstance({ ...DEFAULT_WORKLOAD, flushIntervalMs: 1000 });
    const slow = monthlyCostPerInstance({ ...DEFAULT_WORKLOAD, flushIntervalMs: 10_000 });
    expect(slow.total).toBeLessThan(fast.total);
    expect(monthlyCostPerInstance({ ...DEFAULT_WORKLOAD, eventsPerSecond: 1000 }).total).toBeGreaterThan(fast.total);
  });

  it('rejects impossible assumptions with the key named', () => {
    expect(() => monthlyCostPerInstance({ ...DEFAULT_WORKLOAD, flushIntervalMs: 0 })).toThrow(/flushIntervalMs/);
    expect(() => monthlyCostPerInstance({ ...DEFAULT_WORKLOAD, eventsPerSecond: -1 })).toThrow(/eventsPerSecond/);
  });
});
