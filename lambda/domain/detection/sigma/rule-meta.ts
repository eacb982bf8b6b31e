/**
 * The metadata half of a Sigma rule: title, id, logsource, level, author, licence. Checks what Sigma
 * requires and Picket relies on; every problem carries its line.
 */
import { LEVEL_SEVERITY, SIGMA_LEVELS, type SigmaLevel } from './naming';
import type { SigmaIssue } from './types';
import { entry, scalarText, type YNode } from './yaml-tree';

export interface SigmaRuleMeta {
  readonly title: string;
  readonly id: string;
  readonly level: SigmaLevel;
  readonly severity: number;
  readonly status?: string;
  readonly author?: string;
  readonly license?: string;
  readonly logsource: { readonly product?: string; readonly category?: string; readonly service?: string; readonly line: number };
  readonly detection: YNode;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN_KEYS = new Set([
  'title',
  'id',
  'name',
  'status',
  'description',
  'references',
  'author',
  'date',
  'modified',
  'tags',
  'logsource',
  'detection',
  'falsepositives',
  'level',
  'fields',
  'related',
  'license',
  'simulation',
  'regression_tests_path',
  'taxonomy',
  'scope',
]);

export type MetaResult =
  | { readonly ok: true; readonly meta: SigmaRuleMeta; readonly notes: SigmaIssue[] }
  | { readonly ok: false; readonly issues: SigmaIssue[]; readonly partial: { readonly title?: string; readonly id?: string; readonly level?: string } };

export function readRuleMeta(doc: YNode): MetaResult {
  const issues: SigmaIssue[] = [];
  const notes: SigmaIssue[] = [];
  if (doc.kind !== 'map') return { ok: false, issues: [{ code: 'invalid', line: doc.line, message: 'a Sigma rule must be a YAML map' }], partial: {} };

  for (const e of doc.entries) {
    if (e.key === 'correlation') issues.push({ code: 'aggregation', line: e.line, message: 'Sigma correlation rules are not supported' });
    else if (e.key === 'action') issues.push({ code: 'multi-document', line: e.line, message: 'Sigma rule collections (action: global/reset/repeat) are not supported' });
    else if (!KNOWN_KEYS.has(e.key)) notes.push({ code: 'invalid', line: e.line, message: `top-level key ${e.key} is not a Sigma rule attribute; ignored` });
  }

  const text = (key: string, required: boolean): string | undefined => {
    const en = entry(doc, key);
    const v = scalarText(en?.value);
    if (en && (en.value.kind !== 'scalar' || v === undefined || v.trim() === '')) {
      issues.push({ code: 'invalid', line: en.line, message: `${key} must be a non-empty string` });
      return undefined;
    }
    if (!en && required) issues.push({ code: 'invalid', line: doc.line, message: `required attribute ${key} is missing` });
    return v;
  };

  const title = text('title', true);
  if (title !== undefined && title.length > 256) issues.push({ code: 'invalid', line: entry(doc, 'title')!.line, message: 'title is longer than 256 characters' });
  const id = text('id', true);
  if (id !== undefined && !UUID.test(id)) issues.push({ code: 'invalid', line: entry(doc, 'id')!.line, message: `id ${id} is not a UUID` });
  const levelText = text('level', true);
  let level: SigmaLevel | undefined;
  if (levelText !== undefined) {
    if ((SIGMA_LEVELS as readonly string[]).includes(levelText)) level = levelText as SigmaLevel;
    else issues.push({ code: 'invalid', line: entry(doc, 'level')!.line, message: `level ${levelText} is not one of ${SIGMA_LEVELS.join(', ')}` });
  }
  const status = text('status', false);
  const license = text('license', false);
  const authorEntry = entry(doc, 'author');
  const author = authorEntry ? scalarText(authorEntry.value) : undefined;

  const ls = entry(doc, 'logsource');
  let logsource: SigmaRuleMeta['logsource'] | undefined;
  if (!ls) issues.push({ code: 'invalid', line: doc.line, message: 'required attribute logsource is missing' });
  else if (ls.value.kind !== 'map') issues.push({ code: 'invalid', line: ls.line, message: 'logsource must be a map' });
  else {
    const part = (k: string) => {
      const en = entry(ls.value, k);
      if (en && (en.value.kind !== 'scalar' || typeof en.value.value !== 'string')) {
        issues.push({ code: 'invalid', line: en.line, message: `logsource ${k} must be a string` });
        return undefined;
      }
      return scalarText(en?.value);
    };
    const product = part('product');
    const category = part('category');
    const service = part('service');
    logsource = {
      line: ls.line,
      ...(product !== undefined ? { product } : {}),
      ...(category !== undefined ? { category } : {}),
      ...(service !== undefined ? { service } : {}),
    };
  }
  const det = entry(doc, 'detection');
  if (!det) issues.push({ code: 'invalid', line: doc.line, message: 'required attribute detection is missing' });
  else if (det.value.kind !== 'map') issues.push({ code: 'invalid', line: det.line, message: 'detection must be a map' });
  else if (!entry(det.value, 'condition')) issues.push({ code: 'invalid', line: det.line, message: 'detection has no condition' });

  if (status === 'deprecated' || status === 'unsupported') {
    notes.push({ code: 'invalid', line: entry(doc, 'status')!.line, message: `status ${status}: SigmaHQ does not recommend using this rule` });
  }

  if (issues.length > 0 || !title || !id || !level || !logsource || !det) {
    return {
      ok: false,
      issues,
      partial: { ...(title ? { title } : {}), ...(id ? { id } : {}), ...(levelText ? { level: levelText } : {}) },
    };
  }
  return {
    ok: true,
    notes,
    meta: {
      title,
      id: id.toLowerCase(),
      level,
      severity: LEVEL_SEVERITY[level],
      logsource,
      detection: det.value,
      ...(status ? { status } : {}),
      ...(author ? { author } : {}),
      ...(license ? { license } : {}),
    },
  };
}
