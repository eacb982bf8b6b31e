/** CloudWatch names of the org aggregator (Powertools EMF; every metric has the `service` dimension). */
export const ORG_METRIC_NAMESPACE = 'Picket/Org';
export const ORG_AGGREGATOR_SERVICE = 'picket-org-aggregator';
export const ORG_METRICS = {
  findingsReceived: 'FindingsReceived',
  findingsArchived: 'FindingsArchived',
  highSeverity: 'HighSeverityFindings',
  becameHealthy: 'InstancesBecameHealthy',
  becameUnhealthy: 'InstancesBecameUnhealthy',
  responseEvents: 'ResponseEvents',
  rejected: 'EventsRejected',
  ignored: 'EventsIgnored',
} as const;
