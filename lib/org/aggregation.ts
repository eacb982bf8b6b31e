/**
 * PicketOrgAggregation: in the security account, a rule on the org bus sends every Picket event to a
 * small Lambda (lambda/org) that writes the latest state into two tables: findings (per account,
 * region and finding; org suppression rules applied) and coverage (per account, region and instance).
 * `picket findings --org`, `picket coverage --org` and `picket org status` read them.
 *
 * Tables are stateful: their construct IDs are API, and their removal policy is explicit.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SuppressionConfig } from '../../lambda/domain/findings/suppression';
import { ORG_AGGREGATOR_ENV } from '../../lambda/org/settings';
import { ORG_TABLE_KEYS } from '../../lambda/org/table-schema';
import { requireProp } from '../prop-validation';
import { FORWARDED_DETAIL_TYPES, FORWARDED_SOURCES } from './names';

/** Lambda environment variables share 4 KB; leave room for the others. */
export const MAX_SUPPRESSION_ENV_BYTES = 3_500;

export interface PicketOrgAggregationProps {
  /** The org bus (PicketOrgBus.bus). */
  readonly orgBus: events.IEventBus;
  /** Central and per-account suppression applied to aggregated findings. @default {central: []} */
  readonly suppression?: SuppressionConfig;
  /** Keep the tables when the stack is deleted. @default true */
  readonly retainData?: boolean;
}

export class PicketOrgAggregation extends Construct {
  readonly findingsTable: dynamodb.Table;
  readonly coverageTable: dynamodb.Table;
  readonly function: nodejs.NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: PicketOrgAggregationProps) {
    super(scope, id);
    const suppressionJson = JSON.stringify(props.suppression ?? { central: [] });
    requireProp(
      Buffer.byteLength(suppressionJson) <= MAX_SUPPRESSION_ENV_BYTES,
      'PicketOrgAggregationProps.suppression',
      `${Buffer.byteLength(suppressionJson)} bytes of rules`,
      `at most ${MAX_SUPPRESSION_ENV_BYTES} bytes of JSON (Lambda environment limit)`,
      'merge similar rules (one rule can list many values per field) or move trusted lists into fewer rules',
    );
    const removalPolicy = props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const table = (tid: string, keys: { partition: string; sort: string }): dynamodb.Table =>
      new dynamodb.Table(this, tid, {
        partitionKey: { name: keys.partition, type: dynamodb.AttributeType.STRING },
        sortKey: { name: keys.sort, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy,
      });
    this.findingsTable = table('FindingsTable', ORG_TABLE_KEYS.findings);
    this.coverageTable = table('CoverageTable', ORG_TABLE_KEYS.coverage);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(__dirname, '../../lambda/org/index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      logGroup,
      description: 'Picket org aggregator: findings and coverage of every member account into the org tables',
      environment: {
        [ORG_AGGREGATOR_ENV.findingsTable]: this.findingsTable.tableName,
        [ORG_AGGREGATOR_ENV.coverageTable]: this.coverageTable.tableName,
        [ORG_AGGREGATOR_ENV.suppression]: suppressionJson,
      },
      bundling: { minify: true, sourceMap: true, target: 'node22', mainFields: ['module', 'main'], format: nodejs.OutputFormat.CJS },
    });
    this.findingsTable.grantReadWriteData(this.function);
    this.coverageTable.grantReadWriteData(this.function);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.orgBus,
      description: 'Every Picket event of the organization into the org tables',
      eventPattern: { source: [...FORWARDED_SOURCES], detailType: [...FORWARDED_DETAIL_TYPES] },
      targets: [new targets.LambdaFunction(this.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });
  }
}
