/**
 * The real-world input: all SigmaHQ Linux rules (DRL 1.1), read from ../shared/sigma-rules and never
 * copied into the repository. Skips with a message when the shared folder is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadSigmaRulesFromDir } from '../../../lambda/domain/detection/sigma';
import { renderSigmaSupport } from '../../../lambda/domain/detection/sigma/report';

const RULES = path.resolve(__dirname, '../../../../shared/sigma-rules/linux');
const DOC = path.resolve(__dirname, '../../../docs/sigma-support.md');
const present = existsSync(RULES);
if (!present) console.warn(`SigmaHQ rules not found at ${RULES}: SigmaHQ tests skipped`);
const maybe = present ? describe : describe.skip;

maybe('SigmaHQ Linux rules', () => {
  const { rules, report } = present ? loadSigmaRulesFromDir(RULES) : { rules: [], report: { total: 0, loaded: 0, skipped: 0, rules: [] } };

  it('loads all 210 files without throwing and accounts for every one', () => {
    expect(report.total).toBe(210);
    expect(report.loaded + report.skipped).toBe(210);
    expect(rules).toHaveLength(report.loaded);
    expect(new Set(report.rules.map((r) => r.path)).size).toBe(210);
    // Most of what Picket can observe must load (process_creation, file_event and auditd make up 188 rules).
    expect(report.loaded).toBeGreaterThanOrEqual(150);
    console.log(
      `SigmaHQ linux: ${report.loaded}/${report.total} loaded; skipped:\n` +
        report.rules
          .filter((r) => r.status === 'skipped')
          .map((r) => `  ${r.path}: ${r.issues.map((i) => `line ${i.line} [${i.code}] ${i.message}`).join(' | ')}`)
          .join('\n'),
    );
  });

  it('gives every skipped rule at least one reason on a real line of its file', () => {
    for (const r of report.rules.filter((x) => x.status === 'skipped')) {
      const lines = readFileSync(path.join(RULES, r.path), 'utf8').split('\n').length;
      expect(r.issues.length).toBeGreaterThan(0);
      for (const i of r.issues) {
        expect(i.line).toBeGreaterThanOrEqual(1);
        expect(i.line).toBeLessThanOrEqual(lines);
      }
    }
  });

  it('skips exactly the rules whose log source Picket does not observe, plus reported features', () => {
    const byCode = (code: string) => report.rules.filter((r) => r.issues.some((i) => i.code === code)).map((r) => r.path);
    // builtin/* are syslog/sshd/cron/... text logs: none of them can load.
    expect(byCode('logsource').sort()).toEqual(report.rules.filter((r) => r.path.startsWith('builtin/')).map((r) => r.path).sort());
    // DestinationHostname needs DNS correlation: reported on the rules that use it.
    expect(byCode('field')).toEqual(expect.arrayContaining(['network_connection/net_connection_lnx_ngrok_tunnel.yml']));
  });

  it('gives every loaded rule a unique id and a valid Custom:Runtime type', () => {
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(new Set(rules.map((r) => r.types[0])).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.types[0]).toMatch(/^Custom:Runtime\/[A-Za-z0-9][A-Za-z0-9_.!-]*$/);
      expect(r.kinds.length).toBeGreaterThan(0);
    }
  });

  it('docs/sigma-support.md is current (regenerate: npx tsx lambda/domain/detection/sigma/report.ts)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const strip = (s: string) => s.replace(/^Load and compile time.*$/m, '');
    const fresh = renderSigmaSupport(report, { description: `the ${report.total} rule files under \`../shared/sigma-rules/linux\`` });
    expect(strip(doc).replace(/\n{3,}/g, '\n\n')).toBe(strip(fresh).replace(/\n{3,}/g, '\n\n'));
  });
});
