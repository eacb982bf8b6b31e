/**
 * The Lambda entry (lambda/agentless/index.ts) as Lambda loads it: settings from the environment,
 * seed intel lists from the repository's intel/ (next to the handler once bundled), clients mocked.
 * A resolver record for a name on the shipped mining-pool seed list becomes a published finding.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AgentlessOutcome } from '../../lambda/agentless/agentless';
import { AGENTLESS_ENV } from '../../lambda/agentless/settings';
import { PICKET_FLOW_LOG_FIELDS } from '../../lambda/domain/agentless/flow-log';
import { ACCOUNT, resolverRecord, subscriptionEvent } from './records';

const eventsMock = mockClient(EventBridgeClient);

/** First plain domain of the shipped mining-pool list (a list entry, never resolved). */
function seedPoolDomain(): string {
  const text = readFileSync(path.resolve(__dirname, '../../intel/mining-pools.txt'), 'utf8');
  const entry = text.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#') && /^[a-z0-9.-]+\.[a-z]{2,}$/.test(l));
  if (!entry) throw new Error('intel/mining-pools.txt has no domain entry');
  return entry;
}

test('the handler wires settings, seed intel and the publisher', async () => {
  process.env[AGENTLESS_ENV.settings] = JSON.stringify({
    accountId: ACCOUNT,
    region: 'eu-west-1',
    partition: 'aws',
    detectorId: 'picket',
    findingsBus: 'picket-findings',
    skipHealthyInstances: false,
    flowLogFields: [...PICKET_FLOW_LOG_FIELDS],
    updateIntervalMs: 300000,
  });
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
  // Loaded after the environment is set, as Lambda does (the module reads its settings at load).
  const { handler } = require('../../lambda/agentless/index') as { handler: (e: CloudWatchLogsEvent, c: Context) => Promise<AgentlessOutcome> };
  const name = seedPoolDomain();
  const outcome = await handler(subscriptionEvent('/aws/picket/resolver-query-logs', [resolverRecord(name)]) as CloudWatchLogsEvent, { awsRequestId: 'test' } as Context);
  expect(outcome).toMatchObject({ source: 'route53-resolver', events: 1, published: 1 });
  const detail = JSON.parse(eventsMock.commandCalls(PutEventsCommand)[0].args[0].input.Entries?.[0].Detail ?? '{}');
  expect(detail).toMatchObject({ type: 'CryptoCurrency:Runtime/BitcoinTool.B!DNS', service: { featureName: 'DnsLogs', additionalInfo: { logsOnly: true } } });
});
