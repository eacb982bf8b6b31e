import type { Finding } from '../../lambda/domain/findings/finding';
import {
  parseSuppressionConfig,
  SuppressionConfigError,
  SuppressionRuleSet,
  type SuppressionRule,
  valuesAt,
  wildcardToRegExp,
} from '../../lambda/domain/findings/suppression';
import { ACCOUNT, netEvent } from './engine-events';
import { intelFrom, testEngine } from './engine-setup';

const C2 = intelFrom([{ name: 'c2.txt', text: '198.51.100.0/24\n', role: 'threat', category: 'c2' }]);

function sampleFinding(): Finding {
  const engine = testEngine({
    intel: C2,
    instanceDetails: (id) => ({ instanceId: id, tags: [{ key: 'Env', value: 'dev' }, { key: 'Team', value: 'web' }] }),
  });
  return engine.process(netEvent('net_connect', '198.51.100.7', 443))[0].finding;
}

const rule = (criterion: SuppressionRule['criterion'], name = 'r'): SuppressionRule => ({ name, action: 'ARCHIVE', criterion });
const matches = (criterion: SuppressionRule['criterion'], f = sampleFinding()) => new SuppressionRuleSet([rule(criterion)]).match(f) !== undefined;

describe('suppression criteria (GuardDuty filter semantics)', () => {
  it('eq matches any listed value; neq matches none of them', () => {
    expect(matches({ type: { eq: ['Backdoor:Runtime/C&CActivity.B', 'Other'] } })).toBe(true);
    expect(matches({ type: { eq: ['Other'] } })).toBe(false);
    expect(matches({ type: { neq: ['Other'] } })).toBe(true);
    expect(matches({ type: { neq: ['Backdoor:Runtime/C&CActivity.B'] } })).toBe(false);
  });

  it('compares numbers with gt/gte/lt/lte, and timestamps as epoch ms', () => {
    expect(matches({ severity: { gte: 8 } })).toBe(true);
    expect(matches({ severity: { gt: 8 } })).toBe(false);
    expect(matches({ severity: { lt: 9, gt: 7 } })).toBe(true);
    expect(matches({ severity: { lte: 7.9 } })).toBe(false);
    const created = Date.parse(sampleFinding().createdAt);
    expect(matches({ createdAt: { gte: created, lt: created + 1 } })).toBe(true);
    expect(matches({ 'service.count': { eq: [1] } })).toBe(true);
  });

  it('matches wildcards case-sensitively, * any run and ? one character, anchored', () => {
    expect(matches({ 'service.runtimeDetails.process.executablePath': { matches: ['/usr/bin/*'] } })).toBe(true);
    expect(matches({ 'service.runtimeDetails.process.executablePath': { matches: ['/usr/bin/cur?'] } })).toBe(true);
    expect(matches({ 'service.runtimeDetails.process.executablePath': { matches: ['/USR/BIN/*'] } })).toBe(false);
    expect(matches({ 'service.runtimeDetails.process.executablePath': { matches: ['bin/*'] } })).toBe(false);
    expect(matches({ 'service.runtimeDetails.process.executablePath': { notMatches: ['/opt/*'] } })).toBe(true);
    expect(wildcardToRegExp('a.b(c)*').test('a.b(c)zz')).toBe(true);
    expect(wildcardToRegExp('a.b').test('axb')).toBe(false);
  });

  it('searches arrays on the path (tags.key, lineage) element by element', () => {
    expect(matches({ 'resource.instanceDetails.tags.key': { eq: ['Team'] } })).toBe(true);
    expect(matches({ 'resource.instanceDetails.tags.value': { eq: ['prod'] } })).toBe(false);
    expect(matches({ 'service.runtimeDetails.process.lineage.executablePath': { eq: ['/usr/sbin/sshd'] } })).toBe(true);
    expect(valuesAt(sampleFinding(), ['resource', 'instanceDetails', 'tags', 'key'])).toEqual(['Env', 'Team']);
  });

  it('requires every criterion (AND); a missing field fails eq/gt/matches and satisfies neq', () => {
    expect(matches({ type: { eq: ['Backdoor:Runtime/C&CActivity.B'] }, severity: { lt: 5 } })).toBe(false);
    expect(matches({ 'resource.instanceDetails.imageId': { eq: ['ami-1'] } })).toBe(false);
    expect(matches({ 'resource.instanceDetails.imageId': { neq: ['ami-1'] } })).toBe(true);
    expect(matches({ 'resource.instanceDetails.imageId': { gt: 0 } })).toBe(false);
    expect(matches({ 'resource.instanceDetails.imageId': { matches: ['*'] } })).toBe(false);
  });
});

describe('suppression config and scopes', () => {
  it('parses GuardDuty API shape and long operator names, and applies account rules only to that account', () => {
    const config = parseSuppressionConfig(
      {
        rules: [{ name: 'dev-boxes', findingCriteria: { criterion: { 'resource.instanceDetails.tags.value': { equals: ['sandbox'] } } } }],
        accounts: {
          [ACCOUNT]: [{ name: 'curl-ok', action: 'archive', criterion: { 'service.runtimeDetails.process.name': { eq: 'curl' } } }],
          '444455556666': [{ name: 'everything-high', criteria: { severity: { greaterThanOrEqual: 1 } } }],
        },
      },
      'suppress.json',
    );
    const set = new SuppressionRuleSet(config);
    const f = sampleFinding();
    expect(set.match(f)?.name).toBe('curl-ok');
    expect(set.match({ ...f, accountId: '999999999999' })).toBeUndefined();
    expect(set.match({ ...f, accountId: '444455556666' })?.name).toBe('everything-high');
    expect(set.size).toBe(3);
    // Whether an account's findings can be archived at all (the engine folds repeats only when not).
    expect(set.appliesTo('999999999999')).toBe(true); // the central rule
    expect(new SuppressionRuleSet({ accounts: config.accounts }).appliesTo('999999999999')).toBe(false);
    expect(new SuppressionRuleSet({ accounts: config.accounts }).appliesTo('444455556666')).toBe(true);
    expect(new SuppressionRuleSet({}).appliesTo(ACCOUNT)).toBe(false);
  });

  it.each([
    [{ rules: [{ criterion: { type: { eq: ['x'] } } }] }, /rule 0: rule needs a non-empty "name"/],
    [{ rules: [{ name: 'n', criterion: {} }] }, /criterion is empty/],
    [{ rules: [{ name: 'n', criterion: { type: { like: ['x'] } } }] }, /unknown operator "like"/],
    [{ rules: [{ name: 'n', criterion: { severity: { gt: 'high' } } }] }, /gt needs a number/],
    [{ rules: [{ name: 'n', action: 'NOOP', criterion: { type: { eq: ['x'] } } }] }, /action must be "ARCHIVE"/],
    [{ accounts: { '12': [] } }, /not a 12-digit account id/],
    [{ rules: [{ name: 'n', criterion: { 'a..b': { eq: ['x'] } } }] }, /not a dotted path/],
  ])('rejects bad config %j with a message naming where', (json, message) => {
    expect(() => parseSuppressionConfig(json, 'suppress.json')).toThrow(SuppressionConfigError);
    expect(() => parseSuppressionConfig(json, 'suppress.json')).toThrow(message);
  });

  it('archives in the engine: stored, counted, never published; updates stay archived', () => {
    const engine = testEngine({
      intel: C2,
      suppression: [rule({ 'service.runtimeDetails.process.executablePath': { eq: ['/usr/bin/curl'] } }, 'curl')],
    });
    const [created] = engine.process(netEvent('net_connect', '198.51.100.7', 443));
    expect(created).toMatchObject({ change: 'created', publish: false, archived: true, suppressedBy: 'curl' });
    expect(created.finding.service.archived).toBe(true);
    const [updated] = engine.process(netEvent('net_connect', '198.51.100.7', 443, { offsetMs: 10 * 60_000 }));
    expect(updated).toMatchObject({ change: 'updated', publish: false, archived: true });
    expect(updated.finding.service.count).toBe(2);
    expect(engine.flushAll()).toEqual([]);
    const [other] = engine.process(netEvent('net_connect', '198.51.100.8', 443, { exe: '/usr/bin/wget' }));
    expect(other).toMatchObject({ publish: true, archived: false });
    expect(engine.stats).toMatchObject({ archived: 2, published: 1 });
  });
});
