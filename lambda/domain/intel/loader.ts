/**
 * Loading intel: from strings (the Lambda handler reads S3 objects and passes their text) or from
 * files (the CLI). Malformed lines are reported with file and line and skipped; every other entry
 * is kept. Seed lists shipped in `intel/` are described by `intel/manifest.json`.
 */
import type { ThreatCategory } from '../detection/intel-set';
import { IntelIndex, type ListRole } from './intel-index';
import { type ListError, type ListKind, parseList } from './list-parser';

export const THREAT_CATEGORIES: readonly ThreatCategory[] = [
  'mining_pool',
  'c2',
  'tor_relay',
  'tor_client',
  'blackhole',
  'drop_point',
  'drive_by',
  'phishing',
  'dga',
  'malicious',
  'dynamic_dns',
  'suspicious',
  'custom',
];

export interface IntelSource {
  /** Name findings cite and errors use as the file name (e.g. the S3 key or file path). */
  readonly name: string;
  readonly text: string;
  /** threat / trusted network lists, or a SHA-256 list of malicious executables. */
  readonly role: ListRole | 'sha256';
  /** Category of a threat or SHA-256 list. @default 'custom' */
  readonly category?: ThreatCategory;
}

export interface LoadedIntel {
  readonly intel: IntelIndex;
  /** Every malformed line, with file and line; the rest of each list was loaded. */
  readonly errors: readonly ListError[];
}

export function isThreatCategory(value: string): value is ThreatCategory {
  return (THREAT_CATEGORIES as readonly string[]).includes(value);
}

/** Builds an IntelIndex from list texts. Order matters only for duplicates: earlier lists win. */
export function loadIntelFromStrings(sources: readonly IntelSource[]): LoadedIntel {
  const intel = new IntelIndex();
  const errors: ListError[] = [];
  for (const s of sources) {
    const kind: ListKind = s.role === 'sha256' ? 'sha256' : 'network';
    const list = parseList(s.text, s.name, kind);
    errors.push(...list.errors);
    intel.add({ list, name: s.name, role: s.role === 'trusted' ? 'trusted' : 'threat', category: s.category ?? 'custom' });
  }
  return { intel, errors };
}

/** One entry of `intel/manifest.json`. */
export interface SeedListManifestEntry {
  readonly file: string;
  readonly name: string;
  readonly role: ListRole | 'sha256';
  readonly category: ThreatCategory;
  readonly source: string;
  readonly licence: string;
}

export interface SeedManifest {
  readonly generatedBy: string;
  readonly lists: readonly SeedListManifestEntry[];
}

export function parseSeedManifest(json: unknown, where: string): SeedManifest {
  const o = json as Partial<SeedManifest> | null;
  if (!o || !Array.isArray(o.lists)) throw new TypeError(`${where}: expected {"lists": [...]}`);
  for (const [i, l] of o.lists.entries()) {
    if (typeof l?.file !== 'string' || typeof l.name !== 'string') throw new TypeError(`${where}: lists[${i}] needs "file" and "name"`);
    if (l.role !== 'threat' && l.role !== 'trusted' && l.role !== 'sha256') {
      throw new TypeError(`${where}: lists[${i}] (${l.file}) role must be threat, trusted or sha256, got ${JSON.stringify(l.role)}`);
    }
    if (!isThreatCategory(l.category)) throw new TypeError(`${where}: lists[${i}] (${l.file}) has unknown category ${JSON.stringify(l.category)}`);
  }
  return o as SeedManifest;
}

/** A list given on the command line: `path` or `category=path` (e.g. `c2=/etc/picket/c2.txt`). */
export interface ListFileSpec {
  readonly path: string;
  readonly category?: ThreatCategory;
}

export function parseListFileSpec(spec: string): ListFileSpec {
  const eq = spec.indexOf('=');
  if (eq > 0) {
    const category = spec.slice(0, eq);
    if (isThreatCategory(category)) return { path: spec.slice(eq + 1), category };
  }
  return { path: spec };
}
