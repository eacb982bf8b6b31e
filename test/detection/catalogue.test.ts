import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CUSTOM_DEFAULT_SEVERITY,
  customFindingType,
  FINDING_CATALOGUE,
  findingTypeInfo,
  isKnownFindingType,
} from '../../lambda/domain/findings/catalogue';
import { severityLabel } from '../../lambda/domain/findings/finding';
import { BUILTIN_RULES } from '../../lambda/domain/detection/rules/index';
import { INTEL_RULES } from '../../lambda/domain/detection/rules/intel/index';

/**
 * The types issue 4 item 1 names, written out independently of the catalogue so a typo or a
 * missing entry in either fails the test.
 */
const ISSUE_TYPES = {
  ip: [
    'CryptoCurrency:Runtime/BitcoinTool.B',
    'Backdoor:Runtime/C&CActivity.B',
    'UnauthorizedAccess:Runtime/TorRelay',
    'UnauthorizedAccess:Runtime/TorClient',
    'Trojan:Runtime/BlackholeTraffic',
    'Trojan:Runtime/DropPoint',
  ],
  dns: [
    'CryptoCurrency:Runtime/BitcoinTool.B!DNS',
    'Backdoor:Runtime/C&CActivity.B!DNS',
    'Trojan:Runtime/BlackholeTraffic!DNS',
    'Trojan:Runtime/DropPoint!DNS',
    'Trojan:Runtime/DGADomainRequest.C!DNS',
    'Trojan:Runtime/DriveBySourceTraffic!DNS',
    'Trojan:Runtime/PhishingDomainRequest!DNS',
    'Impact:Runtime/AbusedDomainRequest.Reputation',
    'Impact:Runtime/BitcoinDomainRequest.Reputation',
    'Impact:Runtime/MaliciousDomainRequest.Reputation',
    'Impact:Runtime/SuspiciousDomainRequest.Reputation',
    'UnauthorizedAccess:Runtime/MetadataDNSRebind',
  ],
  behaviour: [
    'Execution:Runtime/ReverseShell',
    'Execution:Runtime/SuspiciousShellCreated',
    'Execution:Runtime/NewBinaryExecuted',
    'Execution:Runtime/NewLibraryLoaded',
    'Execution:Runtime/SuspiciousTool',
    'Execution:Runtime/SuspiciousCommand',
    'Execution:Runtime/MaliciousFileExecuted',
    'Execution:Runtime/MaliciousFileExecuted.Custom',
    'DefenseEvasion:Runtime/FilelessExecution',
    'DefenseEvasion:Runtime/ProcessInjection.Proc',
    'DefenseEvasion:Runtime/ProcessInjection.Ptrace',
    'DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite',
    'DefenseEvasion:Runtime/PtraceAntiDebugging',
    'DefenseEvasion:Runtime/KernelModuleLoaded',
    'DefenseEvasion:Runtime/SuspiciousCommand',
    'DefenseEvasion:Runtime/SensitiveFileModified',
    'Impact:Runtime/CryptoMinerExecuted',
    'PrivilegeEscalation:Runtime/ElevationToRoot',
    'PrivilegeEscalation:Runtime/UserfaultfdUsage',
    'PrivilegeEscalation:Runtime/SuspiciousCommand',
    'PrivilegeEscalation:Runtime/SensitiveFileModified',
    'PrivilegeEscalation:Runtime/DockerSocketAccessed',
    'PrivilegeEscalation:Runtime/RuncContainerEscape',
    'PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified',
    'PrivilegeEscalation:Runtime/ContainerMountsHostDirectory',
    'Persistence:Runtime/SuspiciousCommand',
    'Persistence:Runtime/SensitiveFileModified',
    'Discovery:Runtime/SuspiciousCommand',
  ],
  network: ['Recon:Runtime/Portscan', 'Behavior:Runtime/NetworkPortUnusual'],
};

describe('finding catalogue', () => {
  const all = [...ISSUE_TYPES.ip, ...ISSUE_TYPES.dns, ...ISSUE_TYPES.behaviour, ...ISSUE_TYPES.network];

  it('has every type of issue 4 exactly once and nothing else', () => {
    const types = FINDING_CATALOGUE.map((i) => i.type);
    expect(new Set(types).size).toBe(types.length);
    expect([...types].sort()).toEqual([...all].sort());
  });

  it('groups the types as the issue does', () => {
    const group = (g: string) => FINDING_CATALOGUE.filter((i) => i.group === g).map((i) => i.type).sort();
    expect(group('intel-ip')).toEqual([...ISSUE_TYPES.ip].sort());
    expect(group('intel-dns')).toEqual([...ISSUE_TYPES.dns].sort());
    expect(group('behaviour')).toEqual([...ISSUE_TYPES.behaviour].sort());
  });

  it('gives every type a GuardDuty severity band, a label that agrees, a title and a role', () => {
    for (const info of FINDING_CATALOGUE) {
      expect([2, 5, 8]).toContain(info.defaultSeverity);
      expect(info.severityLabel).toBe(severityLabel(info.defaultSeverity));
      expect(info.title.length).toBeGreaterThan(10);
      expect(['TARGET', 'ACTOR']).toContain(info.resourceRole);
      expect(['RuntimeMonitoring', 'DnsLogs', 'FlowLogs']).toContain(info.featureName);
    }
  });

  it('keeps the severities the issue marks (H/M) for the intel types', () => {
    const high = ['CryptoCurrency:Runtime/BitcoinTool.B', 'Backdoor:Runtime/C&CActivity.B', 'UnauthorizedAccess:Runtime/TorRelay', 'UnauthorizedAccess:Runtime/TorClient'];
    const medium = ['Trojan:Runtime/BlackholeTraffic', 'Trojan:Runtime/DropPoint'];
    for (const t of high) expect(findingTypeInfo(t)?.severityLabel).toBe('High');
    for (const t of medium) expect(findingTypeInfo(t)?.severityLabel).toBe('Medium');
  });

  it('synthesises Custom:Runtime/<Name> entries and rejects unknown types', () => {
    const info = findingTypeInfo(customFindingType('SuspiciousCurlToPastebin'));
    expect(info).toMatchObject({ type: 'Custom:Runtime/SuspiciousCurlToPastebin', group: 'custom', defaultSeverity: CUSTOM_DEFAULT_SEVERITY });
    expect(findingTypeInfo('Execution:Runtime/NoSuchThing')).toBeUndefined();
    expect(findingTypeInfo('Custom:Runtime/has space')).toBeUndefined();
    expect(isKnownFindingType('Execution:Runtime/ReverseShell')).toBe(true);
    expect(() => customFindingType('bad name')).toThrow(/not a valid finding type suffix/);
  });

  it('covers every intel/DNS type with an intel rule, and intel rules raise only catalogued types', () => {
    const raised = new Set(INTEL_RULES.flatMap((r) => r.types));
    for (const t of [...ISSUE_TYPES.ip, ...ISSUE_TYPES.dns]) expect(raised).toContain(t);
    for (const t of raised) expect(isKnownFindingType(t)).toBe(true);
  });

  it('builds BUILTIN_RULES with unique ids that raise only catalogued types', () => {
    const ids = BUILTIN_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const unknown = BUILTIN_RULES.flatMap((r) => r.types.filter((t) => !isKnownFindingType(t)).map((t) => `${r.id}: ${t}`));
    expect(unknown).toEqual([]);
  });

  it('documents every type in docs/findings.md', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/findings.md'), 'utf8');
    for (const t of [...ISSUE_TYPES.ip, ...ISSUE_TYPES.dns]) expect(doc).toContain(`\`${t}\``);
    // The "All types" table states each default severity: it must agree with the catalogue.
    const table = doc.slice(doc.indexOf('## All types'), doc.indexOf('\n## ', doc.indexOf('## All types') + 1));
    const rows = [...table.matchAll(/^\| `([^`]+)` \| (Low|Medium|High)\b/gm)].map((m) => [m[1], m[2]]);
    expect(rows.length).toBe(FINDING_CATALOGUE.length);
    for (const [type, label] of rows) expect([type, findingTypeInfo(type)?.severityLabel]).toEqual([type, label]);
  });
});
