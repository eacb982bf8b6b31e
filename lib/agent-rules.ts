/**
 * The aarch64 (Graviton) audit rule set is derived from the x86_64 one, so the two never drift:
 * aarch64 has no 32-bit compat rules worth loading (Graviton 3 and later cannot run AArch32 at all) and
 * lacks the legacy syscalls the generic syscall table dropped (open, creat, chmod, unlink, rename, dup2;
 * their *at and dup3 successors are in the same rules). auditctl refuses unknown syscall names, so they
 * must go. `agent-bootstrap/rules/picket-aarch64.rules` is this function's output, committed; a test
 * fails when it is stale (regenerate with `npx tsx lib/agent-rules.ts`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Syscalls of the x86_64 rules that the aarch64 kernel does not have. */
export const SYSCALLS_MISSING_ON_AARCH64: ReadonlySet<string> = new Set(['open', 'creat', 'chmod', 'unlink', 'rename', 'dup2']);

export const AARCH64_HEADER = '## GENERATED from picket.rules by lib/agent-rules.ts (deriveAarch64Rules): do not edit, regenerate.';

/** The aarch64 rule text for an x86_64 rule text (one rule per line, `-S a,b,c` syscall lists). */
export function deriveAarch64Rules(x86Rules: string): string {
  const out: string[] = [AARCH64_HEADER];
  for (const line of x86Rules.split('\n')) {
    if (/\barch=b32\b/.test(line)) continue;
    if (line.startsWith('## Picket audit rules (x86_64')) {
      out.push('## Picket audit rules (aarch64: native b64 only).');
      continue;
    }
    const syscalls = /(\s-S\s+)([a-z0-9_,]+)/.exec(line);
    if (!syscalls || line.trimStart().startsWith('#')) {
      out.push(line);
      continue;
    }
    const kept = syscalls[2]!.split(',').filter((name) => !SYSCALLS_MISSING_ON_AARCH64.has(name));
    if (kept.length === 0) continue;
    out.push(line.replace(syscalls[0], `${syscalls[1]}${kept.join(',')}`));
  }
  return out.join('\n');
}

/** Paths of the committed rule files. */
export function ruleFilePaths(repoRoot: string): { readonly x86_64: string; readonly aarch64: string } {
  const dir = join(repoRoot, 'agent-bootstrap', 'rules');
  return { x86_64: join(dir, 'picket.rules'), aarch64: join(dir, 'picket-aarch64.rules') };
}

// `npx tsx lib/agent-rules.ts` regenerates the aarch64 file.
if (require.main === module) {
  const paths = ruleFilePaths(join(__dirname, '..'));
  writeFileSync(paths.aarch64, deriveAarch64Rules(readFileSync(paths.x86_64, 'utf8')));
  process.stdout.write(`wrote ${paths.aarch64}\n`);
}
