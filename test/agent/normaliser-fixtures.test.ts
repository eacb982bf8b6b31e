/**
 * The normaliser on real captures (test/fixtures/audit/scenario-*.log, produced by capture/capture.sh running
 * capture/scenario.sh under a private auditd). Expectations come from what scenario.sh does — its ports, paths,
 * arguments and process structure — not from earlier output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAuditText } from '../../agent-bootstrap/agent/audit';
import type { ActivityEvent } from '../../lambda/domain/events/runtime-event';
import { scenarioExpectations } from './capture-expectations';

const FIXTURES = join(__dirname, '../fixtures/audit');
const INSTANCE = 'i-0123456789abcdef0';

function load(name: string) {
  const text = readFileSync(join(FIXTURES, name), 'utf8');
  const root = Number(/root pid (\d+)/.exec(text.split('\n')[0]!)![1]);
  const { events, issues } = parseAuditText(text, { instanceId: INSTANCE });
  return { root, events: events as ActivityEvent[], issues };
}

describe.each([
  ['scenario-raw.log', false],
  ['scenario-enriched.log', true],
])('%s', (file, userNames) => {
  const run = load(file);
  scenarioExpectations(() => run, { userNames, live: false });
});
