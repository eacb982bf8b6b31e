/**
 * File-based intel loading for the CLI and local mode (node:fs only; the Lambda uses
 * loadIntelFromStrings with S3 object bodies).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ThreatCategory } from '../detection/intel-set';
import { type IntelSource, type ListFileSpec, type LoadedIntel, loadIntelFromStrings, parseSeedManifest } from './loader';

/** `intel/` at the repository root, when running from source (tsx, jest, the CLI). */
export const DEFAULT_SEED_DIR = path.resolve(__dirname, '../../../intel');

export class IntelFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
    this.name = 'IntelFileError';
  }
}

export interface IntelFiles {
  /** Directory holding manifest.json and the seed lists; `false` loads no seed lists. @default DEFAULT_SEED_DIR */
  readonly seedDir?: string | false;
  /** Extra threat lists; a bare path gets category 'custom'. */
  readonly threat?: readonly (string | ListFileSpec)[];
  readonly trusted?: readonly string[];
  /** SHA-256 lists of malicious executables (raise MaliciousFileExecuted.Custom). */
  readonly sha256?: readonly (string | ListFileSpec)[];
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new IntelFileError(file, `cannot read intel list (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, { cause });
  }
}

/** Sources for the seed lists described by `<seedDir>/manifest.json`. */
export function seedSources(seedDir: string): IntelSource[] {
  const manifestPath = path.join(seedDir, 'manifest.json');
  let json: unknown;
  try {
    json = JSON.parse(read(manifestPath));
  } catch (cause) {
    if (cause instanceof IntelFileError) throw cause;
    throw new IntelFileError(manifestPath, 'is not valid JSON', { cause });
  }
  const manifest = parseSeedManifest(json, manifestPath);
  return manifest.lists.map((l) => ({
    name: `seed:${l.name}`,
    text: read(path.join(seedDir, l.file)),
    role: l.role,
    category: l.category,
  }));
}

function spec(s: string | ListFileSpec, fallback: ThreatCategory): ListFileSpec & { category: ThreatCategory } {
  const o = typeof s === 'string' ? { path: s } : s;
  return { path: o.path, category: o.category ?? fallback };
}

/**
 * Loads seed, threat, trusted and SHA-256 lists from disk. User lists come first so a user's
 * category wins for an indicator also in a seed list. Unreadable files throw IntelFileError;
 * malformed lines are returned in `errors` (file:line) and skipped.
 */
export function loadIntelFromFiles(files: IntelFiles = {}): LoadedIntel {
  const sources: IntelSource[] = [];
  for (const t of files.threat ?? []) {
    const s = spec(t, 'custom');
    sources.push({ name: s.path, text: read(s.path), role: 'threat', category: s.category });
  }
  for (const t of files.trusted ?? []) sources.push({ name: t, text: read(t), role: 'trusted' });
  for (const h of files.sha256 ?? []) {
    const s = spec(h, 'custom');
    sources.push({ name: s.path, text: read(s.path), role: 'sha256', category: s.category });
  }
  const seedDir = files.seedDir ?? DEFAULT_SEED_DIR;
  if (seedDir !== false) sources.push(...seedSources(seedDir));
  return loadIntelFromStrings(sources);
}
