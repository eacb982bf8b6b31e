/**
 * Loads Sigma rules: YAML → metadata → logsource mapping → compiled detection → DetectionRule.
 * Every file gets a report entry; a rule with any part Picket cannot evaluate exactly is skipped
 * with all its reasons and lines (loading what is left could widen or silently narrow the rule).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { customFindingType } from '../../findings/catalogue';
import { compileDetection } from './detection';
import { logsourceMapping } from './field-map';
import { MatchEnvCache } from './match-env';
import { AtomRegistry } from './prefilter';
import { disambiguatedName, ruleNameFromTitle } from './naming';
import { readRuleMeta } from './rule-meta';
import { DEFAULT_SIGMA_LICENSE, SigmaDetectionRule } from './sigma-rule';
import type { SigmaIssue, SigmaLoadReport, SigmaRuleReport } from './types';
import { parseYamlDocuments, SigmaYamlError } from './yaml-tree';

export interface SigmaRuleFile {
  /** Shown in the report and in finding evidence (`ruleFile`). */
  readonly path: string;
  readonly text: string;
}

export interface LoadSigmaOptions {
  /** Licence note for rules without a `license` attribute. @default 'DRL 1.1' */
  readonly defaultLicense?: string;
}

export interface SigmaLoadResult {
  readonly rules: SigmaDetectionRule[];
  readonly report: SigmaLoadReport;
}

/** Largest rule file accepted (SigmaHQ's largest Linux rule is under 8 KB). */
export const MAX_RULE_FILE_BYTES = 256 * 1024;

export function loadSigmaRules(files: readonly SigmaRuleFile[], options: LoadSigmaOptions = {}): SigmaLoadResult {
  const envs = new MatchEnvCache();
  const atoms = new AtomRegistry();
  const rules: SigmaDetectionRule[] = [];
  const reports: SigmaRuleReport[] = [];
  const ids = new Map<string, string>();
  const names = new Set<string>();
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  for (const file of sorted) {
    const skip = (issues: readonly SigmaIssue[], partial: { title?: string; id?: string; level?: string } = {}) =>
      reports.push({ path: file.path, status: 'skipped', ...partial, ...(partial.id ? { sigmaId: partial.id } : {}), issues, notes: [] });

    if (Buffer.byteLength(file.text, 'utf8') > MAX_RULE_FILE_BYTES) {
      skip([{ code: 'invalid', line: 1, message: `file is larger than ${MAX_RULE_FILE_BYTES} bytes` }]);
      continue;
    }
    let docs: ReturnType<typeof parseYamlDocuments>;
    try {
      docs = parseYamlDocuments(file.text);
    } catch (err) {
      if (!(err instanceof SigmaYamlError)) throw err;
      skip([{ code: 'yaml', line: err.line, message: err.message }]);
      continue;
    }
    if (docs.length !== 1) {
      skip([
        {
          code: docs.length === 0 ? 'invalid' : 'multi-document',
          line: docs[1]?.line ?? 1,
          message: docs.length === 0 ? 'the file holds no rule' : 'files with several YAML documents (rule collections, correlations) are not supported',
        },
      ]);
      continue;
    }
    const metaResult = readRuleMeta(docs[0]!);
    if (!metaResult.ok) {
      skip(metaResult.issues, metaResult.partial);
      continue;
    }
    const { meta, notes } = metaResult;
    const partial = { title: meta.title, id: meta.id, level: meta.level };
    const mapping = logsourceMapping(meta.logsource.product, meta.logsource.category, meta.logsource.service);
    if (typeof mapping === 'string') {
      skip([{ code: 'logsource', line: meta.logsource.line, message: mapping }], partial);
      continue;
    }
    const compiled = compileDetection(meta.detection, mapping, atoms);
    if (!compiled.ok) {
      skip(compiled.issues, partial);
      continue;
    }
    const previous = ids.get(meta.id);
    if (previous !== undefined) {
      skip([{ code: 'duplicate-id', line: 1, message: `id ${meta.id} is already used by ${previous}` }], partial);
      continue;
    }
    let name = ruleNameFromTitle(meta.title) || 'SigmaRule';
    if (names.has(name) || name === 'SigmaRule') name = disambiguatedName(name, meta.id);
    const findingType = customFindingType(name);
    ids.set(meta.id, file.path);
    names.add(name);
    rules.push(new SigmaDetectionRule({ meta, findingType, path: file.path, license: meta.license ?? options.defaultLicense ?? DEFAULT_SIGMA_LICENSE }, compiled.value, envs));
    reports.push({ path: file.path, status: 'loaded', sigmaId: meta.id, title: meta.title, level: meta.level, findingType, issues: [], notes });
  }
  envs.prefilter = atoms.build();
  const loaded = reports.filter((r) => r.status === 'loaded').length;
  return { rules, report: { total: reports.length, loaded, skipped: reports.length - loaded, rules: reports } };
}

/** Reading a rule directory failed (missing, unreadable). */
export class SigmaRuleDirError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigmaRuleDirError';
  }
}

/** Every `*.yml` / `*.yaml` below `dir` (recursively, sorted), loaded as by loadSigmaRules; paths are relative to `dir`. */
export function loadSigmaRulesFromDir(dir: string, options: LoadSigmaOptions = {}): SigmaLoadResult {
  const files: SigmaRuleFile[] = [];
  const walk = (sub: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(path.join(dir, sub), { withFileTypes: true });
    } catch (err) {
      throw new SigmaRuleDirError(`cannot read Sigma rule directory ${path.join(dir, sub)}: ${(err as Error).message}`, { cause: err });
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = sub ? path.join(sub, e.name) : e.name;
      if (e.isDirectory()) walk(rel);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) {
        try {
          files.push({ path: rel, text: readFileSync(path.join(dir, rel), 'utf8') });
        } catch (err) {
          throw new SigmaRuleDirError(`cannot read Sigma rule ${path.join(dir, rel)}: ${(err as Error).message}`, { cause: err });
        }
      }
    }
  };
  walk('');
  return loadSigmaRules(files, options);
}
