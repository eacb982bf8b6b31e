/**
 * PicketOrgDashboard: one CloudWatch dashboard for the organization, in the security account: findings
 * received / archived / high severity, coverage changes, response events, and the health of the
 * aggregation path (errors, DLQ depth, rejected events).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ORG_AGGREGATOR_SERVICE, ORG_METRIC_NAMESPACE, ORG_METRICS as M } from '../../lambda/org/metric-names';

export interface PicketOrgDashboardProps {
  /** Dashboard name. */
  readonly dashboardName: string;
  readonly aggregator: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
}

export class PicketOrgDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PicketOrgDashboardProps) {
    super(scope, id);
    const metric = (name: string, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: ORG_METRIC_NAMESPACE, metricName: name, dimensionsMap: { service: ORG_AGGREGATOR_SERVICE }, statistic: 'Sum', period: Duration.minutes(5), label });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.days(1) });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Findings (all member accounts)', width: 12, left: [metric(M.findingsReceived, 'received'), metric(M.highSeverity, 'severity ≥ 7, not archived'), metric(M.findingsArchived, 'archived (suppressed)')] }),
      new cloudwatch.GraphWidget({ title: 'Coverage changes', width: 12, left: [metric(M.becameUnhealthy, 'became unhealthy'), metric(M.becameHealthy, 'became healthy')] }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Response events', width: 8, left: [metric(M.responseEvents, 'response actions / approvals')] }),
      new cloudwatch.GraphWidget({ title: 'Aggregator', width: 8, left: [props.aggregator.metricErrors({ label: 'errors' }), metric(M.rejected, 'rejected (spoofed or malformed)')] }),
      new cloudwatch.GraphWidget({ title: 'Undelivered (DLQ)', width: 8, left: [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'messages' })] }),
    );
  }
}
