/**
 * Intel for the detector: the seed lists shipped inside the function asset (`intel/`, copied there at
 * bundling; same files and manifest as the repository's `intel/`) plus the lists operators put in S3,
 * loaded once and reused for `ttlMs` in the execution environment.
 *
 * S3 layout under each location's prefix (one IP, CIDR or domain per line, `#` comments):
 *   threat/<category>/<name>.txt   threat list of that category (unknown category → `custom`)
 *   threat/<name>.txt              threat list, category `custom`
 *   trusted/<name>.txt             trusted list (trusted beats threat)
 *   sha256/<name>.txt              SHA-256 of malicious executables (MaliciousFileExecuted.Custom)
 * Anything else under the prefix is ignored. S3 lists come before the seeds, so an operator's
 * category wins for an indicator in both.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { IntelSet, ThreatCategory } from '../domain/detection/intel-set';
import { DEFAULT_SEED_DIR, seedSources } from '../domain/intel/load-files';
import { type IntelSource, isThreatCategory, loadIntelFromStrings } from '../domain/intel/loader';
import type { ListError } from '../domain/intel/list-parser';
import type { DetectorLog } from './ports';
import { RefreshingValue } from './refreshing-value';
import { readS3Texts } from './s3-texts';
import type { IntelLocation } from './settings';

/** Lists larger than this are refused (a list is text held in memory; the seed lists total ~0.6 MB). */
export const MAX_LIST_BYTES = 64 * 1024 * 1024;

/** Where the seed lists are: next to the bundled handler in Lambda, the repository's `intel/` from source. */
export function defaultSeedDir(): string | undefined {
  for (const dir of [path.join(__dirname, 'intel'), DEFAULT_SEED_DIR]) if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  return undefined;
}

/** The role and category a key under the prefix stands for, or undefined to ignore it. */
export function classifyIntelKey(relativeKey: string): Pick<IntelSource, 'role' | 'category'> | undefined {
  const parts = relativeKey.split('/');
  if (parts.some((p) => p === '') || !relativeKey.endsWith('.txt')) return undefined;
  const [top] = parts;
  if (top === 'trusted' && parts.length === 2) return { role: 'trusted' };
  if (top === 'sha256' && parts.length === 2) return { role: 'sha256', category: 'custom' };
  if (top === 'threat' && parts.length === 2) return { role: 'threat', category: 'custom' };
  if (top === 'threat' && parts.length === 3) {
    const category = parts[1]!;
    return { role: 'threat', category: isThreatCategory(category) ? (category as ThreatCategory) : 'custom' };
  }
  return undefined;
}

export interface IntelCacheOptions {
  readonly s3: S3Client;
  readonly locations: readonly IntelLocation[];
  /** @default defaultSeedDir(); false = no seed lists */
  readonly seedDir?: string | false;
  readonly ttlMs: number;
  readonly log: DetectorLog;
}

export class IntelCache {
  private readonly value: RefreshingValue<IntelSet>;

  constructor(private readonly options: IntelCacheOptions) {
    this.value = new RefreshingValue('intel', options.ttlMs, () => this.load(), options.log);
  }

  /** Loads done (for tests and logs). */
  get loads(): number {
    return this.value.loads;
  }

  /**
   * The intel to use at `nowMs`: cached while fresh; otherwise reloaded. A failed reload keeps the
   * lists loaded before (logged); with nothing loaded yet, it throws (the batch is retried).
   */
  get(nowMs: number): Promise<IntelSet> {
    return this.value.get(nowMs);
  }

  private async load(): Promise<IntelSet> {
    const sources: IntelSource[] = [];
    for (const location of this.options.locations) {
      for (const t of await readS3Texts(this.options.s3, location, classifyIntelKey, MAX_LIST_BYTES, this.options.log)) {
        sources.push({ name: `s3://${t.bucket}/${t.key}`, text: t.text, ...t.kind });
      }
    }
    const seedDir = this.options.seedDir ?? defaultSeedDir();
    if (seedDir) sources.push(...seedSources(seedDir));
    else if (this.options.seedDir === undefined) this.options.log.warn('seed intel lists not found next to the handler; running with S3 lists only');
    const { intel, errors } = loadIntelFromStrings(sources);
    if (errors.length > 0) this.reportListErrors(errors);
    this.options.log.info('intel loaded', { lists: sources.length, malformedLines: errors.length });
    return intel;
  }

  private reportListErrors(errors: readonly ListError[]): void {
    // The first few with file and line; the rest as a count (lists can be long).
    for (const e of errors.slice(0, 20)) this.options.log.warn('malformed intel list line skipped', { file: e.file, line: e.line, message: e.message });
    if (errors.length > 20) this.options.log.warn('more malformed intel list lines skipped', { count: errors.length - 20 });
  }
}
