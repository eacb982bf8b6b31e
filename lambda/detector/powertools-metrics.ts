/**
 * DetectorMetrics on Powertools Metrics (CloudWatch EMF, namespace `Picket`). Counts are summed per
 * metric and dimension set during an invocation and written once at the end: one EMF line per
 * dimension set instead of one per event.
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DetectorMetrics, MetricName } from './ports';

export class AggregatingMetrics implements DetectorMetrics {
  private readonly sums = new Map<string, { name: MetricName; dimensions: Readonly<Record<string, string>>; value: number }>();

  constructor(private readonly metrics: Metrics) {}

  count(name: MetricName, value: number, dimensions: Readonly<Record<string, string>> = {}): void {
    const key = `${name}\u0000${JSON.stringify(Object.entries(dimensions).sort())}`;
    const known = this.sums.get(key);
    if (known) known.value += value;
    else this.sums.set(key, { name, dimensions, value });
  }

  /** Writes every sum (undimensioned ones together, each dimension set on its own line). */
  flush(): void {
    for (const { name, dimensions, value } of this.sums.values()) {
      const entries = Object.entries(dimensions);
      if (entries.length === 0) {
        this.metrics.addMetric(name, MetricUnit.Count, value);
        continue;
      }
      const single = this.metrics.singleMetric();
      for (const [k, v] of entries) single.addDimension(k, v);
      single.addMetric(name, MetricUnit.Count, value);
    }
    this.sums.clear();
    this.metrics.publishStoredMetrics();
  }
}
