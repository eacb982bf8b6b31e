/** uid → user name from a passwd file (read once, re-read at most every `refreshMs`); ENRICHED UID="name" wins. */
import { readFileSync } from 'node:fs';

export class UserNames {
  private names = new Map<number, string>();
  private loadedAt = -Infinity;

  constructor(
    private readonly passwdPath: string | null,
    private readonly refreshMs = 60_000,
  ) {}

  /** Remember a name learnt from an ENRICHED record. */
  learn(uid: number, name: string): void {
    if (name && name !== 'unset' && !name.startsWith('unknown(')) this.names.set(uid, name);
  }

  name(uid: number | undefined): string | undefined {
    if (uid === undefined) return undefined;
    const now = Date.now();
    if (this.passwdPath && now - this.loadedAt > this.refreshMs) this.load(now);
    return this.names.get(uid);
  }

  private load(now: number): void {
    this.loadedAt = now;
    try {
      for (const line of readFileSync(this.passwdPath!, 'utf8').split('\n')) {
        const parts = line.split(':');
        const uid = Number(parts[2]);
        if (parts[0] && Number.isInteger(uid)) this.names.set(uid, parts[0]);
      }
    } catch {
      // No passwd file: names come only from ENRICHED records.
    }
  }
}
