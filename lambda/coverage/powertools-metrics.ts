/**
 * Coverage metrics as CloudWatch Embedded Metric Format through Powertools Metrics (namespace `Picket`).
 * Every metric carries the `service` dimension (COVERAGE_SERVICE), which alarms and the dashboard name;
 * MonitoredVcpuHours also carries AccountId.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { HeartbeatDeltas } from '../domain/coverage/heartbeat-state';
import { ACCOUNT_DIMENSION, COVERAGE_METRICS as M, COVERAGE_SERVICE, METRIC_NAMESPACE } from '../domain/coverage/metric-names';
import type { CoverageSummary } from '../domain/coverage/summary';
import type { CoverageMetricsPort } from './ports';

export function createPowertoolsMetrics(): CoverageMetricsPort {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: COVERAGE_SERVICE });
  return {
    coverage(s: CoverageSummary): void {
      metrics.addMetric(M.coveredPercent, MetricUnit.Percent, s.coveredPercent);
      metrics.addMetric(M.healthy, MetricUnit.Count, s.healthy);
      metrics.addMetric(M.unhealthy, MetricUnit.Count, s.unhealthy);
      metrics.addMetric(M.excluded, MetricUnit.Count, s.excluded);
      metrics.addMetric(M.unhealthyOverdue, MetricUnit.Count, s.unhealthyOverdue);
      metrics.addMetric(M.eventsPerSecond, MetricUnit.CountPerSecond, s.eventsPerSecond);
      metrics.publishStoredMetrics();
      // One EMF document per account: dimensions apply to a whole document (and are cleared by publish).
      for (const [accountId, hours] of Object.entries(s.monitoredVcpuHoursByAccount)) {
        metrics.addDimension(ACCOUNT_DIMENSION, accountId);
        metrics.addMetric(M.monitoredVcpuHours, MetricUnit.Count, hours);
        metrics.publishStoredMetrics();
      }
    },
    heartbeat(d: HeartbeatDeltas): void {
      metrics.addMetric(M.eventsSent, MetricUnit.Count, d.eventsSent);
      metrics.addMetric(M.eventsDropped, MetricUnit.Count, d.eventsDropped);
      metrics.addMetric(M.auditLost, MetricUnit.Count, d.auditLost);
      metrics.publishStoredMetrics();
    },
    rejected(count: number): void {
      metrics.addMetric(M.heartbeatsRejected, MetricUnit.Count, count);
      metrics.publishStoredMetrics();
    },
  };
}
