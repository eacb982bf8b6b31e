/** Where the behaviour tests find their real captures and the shared public corpora. */
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

export const ATTACKS_DIR = path.resolve(__dirname, '../../fixtures/attacks');
export const BENIGN_DIR = path.resolve(__dirname, '../../fixtures/benign');
/** ../shared/corpora beside the repository (GPL files: read, never copied). */
export const CORPORA_DIR = path.resolve(__dirname, '../../../../shared/corpora');

export function attack(name: string): string {
  return path.join(ATTACKS_DIR, `${name}.log`);
}

export function benign(name: string): string {
  return path.join(BENIGN_DIR, `${name}.log`);
}

export function benignCaptures(): string[] {
  return readdirSync(BENIGN_DIR)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => path.join(BENIGN_DIR, f));
}

export function corporaAvailable(): boolean {
  return existsSync(CORPORA_DIR);
}

/** Every raw audit text file of the shared corpora (licences, manifests and JSON outputs excluded). */
export function corporaLogs(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(?:log|txt)$/.test(entry.name) && !/licen[cs]e|manifest|copying/i.test(entry.name)) out.push(p);
    }
  };
  walk(CORPORA_DIR);
  return out.sort();
}
