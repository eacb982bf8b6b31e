/**
 * PicketDashboard: one CloudWatch dashboard for the on-call view — coverage (covered %, healthy and
 * unhealthy instances, instances unhealthy too long), agent event flow (events/s, dropped, audit lost),
 * findings by type and by severity (the detector's `Findings` metric), monitored vCPU-hours per account
 * and day, and the health of the detector, responder and coverage functions and their dead-letter queues.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ACCOUNT_DIMENSION, COVERAGE_METRICS as M, COVERAGE_SERVICE, DETECTOR_METRICS as D, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../lambda/domain/coverage/metric-names';
import { requireProp } from './prop-validation';

export const SEVERITY_LABELS = ['Low', 'Medium', 'High', 'Critical'] as const;

export interface PicketDashboardProps {
  /** Name of the dashboard. @default 'Picket' */
  readonly dashboardName?: string;
  /** How often coverage is evaluated (the period of the coverage graphs). @default 5 */
  readonly scheduleMinutes?: number;
  /** Covered-percentage threshold drawn on the coverage graph. @default 90 */
  readonly alarmCoveragePercent?: number;
  /** Coverage functions (evaluation and heartbeat). @default [] */
  readonly coverageFunctions?: readonly lambda.IFunction[];
  /** Detector functions (errors, throttles). @default [] */
  readonly detectorFunctions?: readonly lambda.IFunction[];
  /** Responder functions (errors, throttles). @default [] */
  readonly responderFunctions?: readonly lambda.IFunction[];
  /** The responder's isolation workflow (failed and timed-out executions). @default - none shown */
  readonly responderStateMachine?: sfn.IStateMachine;
  /** Dead-letter queues whose depth is shown. @default [] */
  readonly deadLetterQueues?: readonly sqs.IQueue[];
  /** Alarms shown in an alarm-status widget. @default [] */
  readonly alarms?: readonly cloudwatch.IAlarm[];
}

/** A coverage metric (with its service dimension). */
export function coverageMetric(name: string, statistic: string, period: Duration, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName: name, statistic, period, dimensionsMap: { [SERVICE_DIMENSION]: COVERAGE_SERVICE }, ...(label ? { label } : {}) });
}

/** A detector metric: its dimensions are the detector's, so it is summed over them by a search. */
function detectorTotal(name: string, label: string, period: Duration): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({ expression: `SUM(SEARCH('Namespace="${METRIC_NAMESPACE}" MetricName="${name}"', 'Sum', ${period.toSeconds()}))`, label, period });
}

export class PicketDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PicketDashboardProps = {}) {
    super(scope, id);
    const scheduleMinutes = props.scheduleMinutes ?? 5;
    requireProp(Number.isInteger(scheduleMinutes) && scheduleMinutes >= 1 && scheduleMinutes <= 60, 'PicketDashboardProps.scheduleMinutes', scheduleMinutes, 'an integer from 1 to 60', 'pass coverage.scheduleMinutes');
    const period = Duration.minutes(scheduleMinutes);
    const fiveMin = Duration.minutes(5);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName ?? 'Picket', defaultInterval: Duration.days(1) });

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: '# Picket\nCoverage per instance (`picket coverage`), findings (`picket findings`), and the health of the pipeline. Issue kinds: docs/coverage.md.', width: 24, height: 2 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.SingleValueWidget({
        title: 'Coverage now',
        width: 24,
        height: 4,
        metrics: [
          coverageMetric(M.coveredPercent, 'Minimum', period, 'Covered %'),
          coverageMetric(M.healthy, 'Maximum', period, 'Healthy'),
          coverageMetric(M.unhealthy, 'Maximum', period, 'Unhealthy'),
          coverageMetric(M.excluded, 'Maximum', period, 'Excluded'),
          coverageMetric(M.unhealthyOverdue, 'Maximum', period, 'Unhealthy too long'),
        ],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Covered instances (%)',
        width: 12,
        left: [coverageMetric(M.coveredPercent, 'Minimum', period, 'Covered %')],
        leftYAxis: { min: 0, max: 100 },
        leftAnnotations: [{ value: props.alarmCoveragePercent ?? 90, label: 'alarm threshold', color: '#d62728' }],
      }),
      new cloudwatch.GraphWidget({
        title: 'Instances by status',
        width: 12,
        stacked: true,
        left: [coverageMetric(M.healthy, 'Maximum', period, 'Healthy'), coverageMetric(M.unhealthy, 'Maximum', period, 'Unhealthy'), coverageMetric(M.excluded, 'Maximum', period, 'Excluded')],
      }),
    );
    const sent = coverageMetric(M.eventsSent, 'Sum', fiveMin);
    const dropped = coverageMetric(M.eventsDropped, 'Sum', fiveMin);
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Agent events per second',
        width: 12,
        left: [
          coverageMetric(M.eventsPerSecond, 'Maximum', period, 'events/s (latest heartbeats)'),
          new cloudwatch.MathExpression({ expression: 'sent / PERIOD(sent)', usingMetrics: { sent }, label: 'sent/s', period: fiveMin }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Events lost',
        width: 12,
        left: [
          new cloudwatch.MathExpression({ expression: 'dropped', usingMetrics: { dropped }, label: 'dropped by agents', period: fiveMin }),
          coverageMetric(M.auditLost, 'Sum', fiveMin, 'lost by kernel audit'),
          detectorTotal(D.eventsRejected, 'rejected by detector', fiveMin),
          coverageMetric(M.heartbeatsRejected, 'Sum', fiveMin, 'heartbeats rejected'),
        ],
        right: [detectorTotal(D.eventsAccepted, 'accepted by detector', fiveMin)],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Findings by type',
        width: 12,
        left: [new cloudwatch.MathExpression({ expression: `SEARCH('Namespace="${METRIC_NAMESPACE}" MetricName="${D.findings}" Type', 'Sum', 300)`, label: '', period: fiveMin })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Findings by severity',
        width: 12,
        stacked: true,
        left: SEVERITY_LABELS.map(
          (s) => new cloudwatch.MathExpression({ expression: `SUM(SEARCH('Namespace="${METRIC_NAMESPACE}" MetricName="${D.findings}" Severity="${s}"', 'Sum', 300))`, label: s, period: fiveMin }),
        ),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Monitored vCPU-hours per account per day',
        width: 24,
        period: Duration.days(1),
        left: [new cloudwatch.MathExpression({ expression: `SEARCH('{${METRIC_NAMESPACE},${ACCOUNT_DIMENSION},${SERVICE_DIMENSION}} MetricName="${M.monitoredVcpuHours}"', 'Sum', 86400)`, label: '', period: Duration.days(1) })],
      }),
    );
    const health = (title: string, fns: readonly lambda.IFunction[]): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({
        title,
        width: 8,
        left: fns.flatMap((f) => [f.metricErrors({ period: fiveMin, statistic: 'Sum' }), f.metricThrottles({ period: fiveMin, statistic: 'Sum' })]),
      });
    const healthRow: cloudwatch.IWidget[] = [];
    if ((props.detectorFunctions ?? []).length > 0) healthRow.push(health('Detector errors and throttles', props.detectorFunctions!));
    if ((props.responderFunctions ?? []).length > 0) healthRow.push(health('Responder errors and throttles', props.responderFunctions!));
    if ((props.coverageFunctions ?? []).length > 0) healthRow.push(health('Coverage errors and throttles', props.coverageFunctions!));
    if (healthRow.length > 0) this.dashboard.addWidgets(...healthRow);
    const queues = props.deadLetterQueues ?? [];
    const depthRow: cloudwatch.IWidget[] = [];
    if (queues.length > 0) {
      depthRow.push(
        new cloudwatch.GraphWidget({ title: 'Dead-letter queue depth', width: 12, left: queues.map((q) => q.metricApproximateNumberOfMessagesVisible({ period: fiveMin, statistic: 'Maximum' })) }),
      );
    }
    if (props.responderStateMachine) {
      const sm = props.responderStateMachine;
      depthRow.push(new cloudwatch.GraphWidget({ title: 'Isolation workflow', width: 12, left: [sm.metricFailed({ period: fiveMin }), sm.metricTimedOut({ period: fiveMin }), sm.metricSucceeded({ period: fiveMin })] }));
    }
    if (depthRow.length > 0) this.dashboard.addWidgets(...depthRow);
    if ((props.alarms ?? []).length > 0) this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: [...props.alarms!] }));
  }
}
