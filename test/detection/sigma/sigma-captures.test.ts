/**
 * End to end: SigmaHQ rules inside the DetectionEngine on REAL audit captures
 * (test/fixtures/sigma/*.log, made by test/fixtures/sigma/capture.sh with the Picket audit rules),
 * parsed by the agent's audit parser. Plus the benign-corpus check over ../shared/corpora and the
 * benign captures of the team (test/fixtures/benign/*.log).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAuditText } from '../../../agent-bootstrap/agent/audit';
import { DetectionEngine } from '../../../lambda/domain/detection/engine';
import { loadSigmaRulesFromDir } from '../../../lambda/domain/detection/sigma';
import { MatchEnvCache } from '../../../lambda/domain/detection/sigma/match-env';
import type { ActivityEvent } from '../../../lambda/domain/events/runtime-event';
import { type Finding, severityLabel } from '../../../lambda/domain/findings/finding';

const RULES = path.resolve(__dirname, '../../../../shared/sigma-rules/linux');
const CORPORA = path.resolve(__dirname, '../../../../shared/corpora');
const CAPTURES = path.resolve(__dirname, '../../fixtures/sigma');
const BENIGN = path.resolve(__dirname, '../../fixtures/benign');
const INSTANCE = 'i-0123456789abcdef0';
const present = existsSync(RULES);
if (!present) console.warn(`SigmaHQ rules not found at ${RULES}: Sigma end-to-end tests skipped`);
const maybe = present ? describe : describe.skip;

function events(file: string): ActivityEvent[] {
  const { events } = parseAuditText(readFileSync(file, 'utf8'), { instanceId: INSTANCE, procRoot: null });
  return events.filter((e): e is ActivityEvent => e.kind !== 'heartbeat');
}

/** Loaded once for the file: compiled Sigma rules are stateless and can serve several engines. */
let sigmaRules: ReturnType<typeof loadSigmaRulesFromDir>['rules'] | undefined;
const sharedRules = () => (sigmaRules ??= loadSigmaRulesFromDir(RULES).rules);

function findingsOf(evs: readonly ActivityEvent[]): Finding[] {
  const engine = new DetectionEngine({
    rules: sharedRules(),
    accountId: '123456789012',
    region: 'eu-west-1',
    detectorId: 'picket-test',
  });
  const byId = new Map<string, Finding>();
  for (const e of evs) for (const u of engine.process(e)) byId.set(u.finding.id, u.finding);
  for (const u of engine.takeFolded()) byId.set(u.finding.id, u.finding);
  return [...byId.values()];
}

maybe('SigmaHQ rules on real captures', () => {
  const attack = present ? findingsOf(events(path.join(CAPTURES, 'sigma-attacks.log'))) : [];
  const types = new Set(attack.map((f) => f.type));

  it.each([
    // [finding type, the command in scenarios/sigma-attacks.sh]
    ['Custom:Runtime/LinuxBase64EncodedPipeToShell', 'echo aWQK | base64 -d | sh'],
    ['Custom:Runtime/DecodeBase64EncodedText', 'base64 -d'],
    ['Custom:Runtime/SystemOwnerOrUserDiscoveryLinux', 'whoami'],
    ['Custom:Runtime/SystemInformationDiscoveryAuditd', 'uname -a (auditd EXECVE a0)'],
    ['Custom:Runtime/ChmodTargetingSensitiveDirectories', 'chmod +x /tmp/…/x'],
    ['Custom:Runtime/SuspiciousCommandsLinux', 'chmod u+s (auditd EXECVE a0/a1)'],
    ['Custom:Runtime/FileTimeAttributeChangeLinux', 'touch -t (auditd keywords)'],
    ['Custom:Runtime/NewCronFileCreated', 'write to /etc/cron.d (file_event)'],
    ['Custom:Runtime/PotentiallySuspiciousMalwareCallbackCommunicationLinux', 'bash → 198.51.100.7:4444 (network_connection)'],
    ['Custom:Runtime/LinuxReverseShellIndicator', 'bash connecting to a non-loopback address (network_connection)'],
  ])('%s fires (%s)', (type) => {
    expect(types).toContain(type);
  });

  it('findings carry the rule, its licence and the level-mapped severity', () => {
    const callback = attack.find((f) => f.type === 'Custom:Runtime/PotentiallySuspiciousMalwareCallbackCommunicationLinux')!;
    expect(callback.severity).toBe(8);
    expect(JSON.stringify(callback)).toContain('DRL 1.1');
    const reverse = attack.find((f) => f.type === 'Custom:Runtime/LinuxReverseShellIndicator')!;
    expect(reverse.severity).toBe(9.5);
    expect(JSON.stringify(reverse.service.additionalInfo)).toContain('sigmaId');
  });

  it('the nearest benign neighbours (base64 encode, chmod outside /tmp, a loopback connection) raise nothing of Medium or higher', () => {
    const benign = findingsOf(events(path.join(CAPTURES, 'sigma-benign.log')));
    const serious = benign.filter((f) => f.severity >= 4);
    expect(serious.map((f) => f.type)).toEqual([]);
    const benignTypes = new Set(benign.map((f) => f.type));
    for (const t of ['Custom:Runtime/LinuxBase64EncodedPipeToShell', 'Custom:Runtime/DecodeBase64EncodedText', 'Custom:Runtime/ChmodTargetingSensitiveDirectories', 'Custom:Runtime/LinuxReverseShellIndicator']) {
      expect(benignTypes).not.toContain(t);
    }
  });
});

maybe('prefilter soundness', () => {
  it('skipping rules by prefilter atoms never changes a result (every rule, every captured event)', () => {
    const rules = sharedRules();
    const files = [path.join(CAPTURES, 'sigma-attacks.log'), path.join(CAPTURES, 'sigma-benign.log')];
    if (existsSync(BENIGN)) for (const f of readdirSync(BENIGN)) if (f.endsWith('.log')) files.push(path.join(BENIGN, f));
    const envs = new MatchEnvCache(); // no prefilter: the full test on every event
    let compared = 0;
    let fired = 0;
    const mismatches: string[] = [];
    for (const f of files) {
      for (const e of events(f)) {
        for (const rule of rules) {
          if (!rule.kinds.includes(e.kind)) continue;
          const full = rule.detection.test(envs.for(e));
          if (rule.evaluate(e).length > 0 !== full) mismatches.push(`${rule.info.path} on ${path.basename(f)} seq ${e.seq}`);
          compared++;
          if (full) fired++;
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(fired).toBeGreaterThan(10);
    expect(compared).toBeGreaterThan(1000);
  });
});

/** Files of ../shared/corpora that hold labelled attacks (see its MANIFEST), kept out of the benign check. */
const LABELLED_ATTACKS = [/record-perl-reverse-shell/, /strace/, /record-listen|nc-l|bind/i, /otrf-security-datasets/];

maybe('benign corpus (informational)', () => {
  it('no High or Critical SigmaHQ finding on benign real data; the counts are reported', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(log|txt)$/.test(e.name) && !/^(LICENSE|COPYING|MANIFEST)/.test(e.name)) files.push(p);
      }
    };
    if (existsSync(CORPORA)) walk(CORPORA);
    else console.warn(`../shared/corpora not found at ${CORPORA}: corpus part skipped`);
    if (existsSync(BENIGN)) for (const f of readdirSync(BENIGN)) if (f.endsWith('.log')) files.push(path.join(BENIGN, f));
    const benignFiles = files.filter((f) => !LABELLED_ATTACKS.some((re) => re.test(path.relative(CORPORA, f))));
    expect(benignFiles.length).toBeGreaterThan(0);

    const counts: Record<string, number> = {};
    const serious: string[] = [];
    let evCount = 0;
    for (const f of benignFiles) {
      const evs = events(f);
      evCount += evs.length;
      for (const finding of findingsOf(evs)) {
        const label = severityLabel(finding.severity);
        counts[label] = (counts[label] ?? 0) + 1;
        if (finding.severity >= 7) serious.push(`${path.basename(f)}: ${finding.type}`);
      }
    }
    console.log(`SigmaHQ on benign corpus: ${benignFiles.length} files, ${evCount} events, findings by severity ${JSON.stringify(counts)}`);
    expect(serious).toEqual([]);
  });
});
