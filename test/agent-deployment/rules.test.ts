/** Static checks of the audit rule files (the real-kernel load is rules.audit.test.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveAarch64Rules, ruleFilePaths } from '../../lib/agent-rules';

const REPO = join(__dirname, '..', '..');
const paths = ruleFilePaths(REPO);
const x86 = readFileSync(paths.x86_64, 'utf8');
const aarch64 = readFileSync(paths.aarch64, 'utf8');
const DOCS = readFileSync(join(REPO, 'docs', 'agent.md'), 'utf8');

const rules = (text: string): string[] => text.split('\n').filter((l) => /^-[aw] /.test(l));
const keyOf = (rule: string): string | undefined => / -k (\S+)/.exec(rule)?.[1];

describe.each([
  ['picket.rules', x86],
  ['picket-aarch64.rules', aarch64],
])('%s', (_name, text) => {
  it('gives every rule a picket_<what> key', () => {
    for (const rule of rules(text)) expect({ rule, key: keyOf(rule) }).toEqual({ rule, key: expect.stringMatching(/^picket_[a-z0-9_]+$/) });
  });

  it('puts every exclusion (never) before the first always rule: the exit list is first-match', () => {
    const list = rules(text).filter((r) => r.startsWith('-a '));
    const firstAlways = list.findIndex((r) => r.startsWith('-a always'));
    const lastNever = list.map((r) => r.startsWith('-a never')).lastIndexOf(true);
    expect(lastNever).toBeGreaterThanOrEqual(0);
    expect(lastNever).toBeLessThan(firstAlways);
  });

  it('neither deletes other files\' rules (-D) nor makes the rule set immutable (-e 2)', () => {
    expect(text).not.toMatch(/^-D/m);
    expect(text).not.toMatch(/^-e 2/m);
    expect(text).toMatch(/^-e 1$/m);
  });

  it('excludes the agent by its private node binary', () => {
    expect(text).toMatch(/^-a never,exit -F exe=\/usr\/sbin\/picket-agent-node /m);
  });
});

describe('architectures', () => {
  it('picket-aarch64.rules is the committed output of deriveAarch64Rules (regenerate: npx tsx lib/agent-rules.ts)', () => {
    expect(aarch64).toBe(deriveAarch64Rules(x86));
  });

  it('x86_64 covers the 32-bit syscall table for every syscall concern (int 0x80 cannot evade)', () => {
    const keys = (arch: string): Set<string> => new Set(rules(x86).filter((r) => r.includes(`arch=${arch}`)).map((r) => keyOf(r)!));
    const b64 = keys('b64');
    const b32 = keys('b32');
    for (const key of b64) expect({ key, b32: b32.has(key) }).toEqual({ key, b32: true });
  });

  it('aarch64 keeps every concern of x86_64', () => {
    const keys = (text: string): Set<string> => new Set(rules(text).map((r) => keyOf(r)!));
    expect([...keys(aarch64)].sort()).toEqual([...keys(x86)].sort());
  });
});

describe('the syscalls the detector needs', () => {
  it.each([
    ['picket_exec', ['execve', 'execveat']],
    ['picket_net_connect', ['connect']],
    ['picket_net_bind', ['bind']],
    ['picket_net_listen', ['listen']],
    ['picket_net_accept', ['accept', 'accept4']],
    ['picket_stdio_dup', ['dup2', 'dup3']],
    ['picket_ptrace', ['ptrace']],
    ['picket_process_vm', ['process_vm_writev', 'process_vm_readv']],
    ['picket_memfd', ['memfd_create']],
    ['picket_module', ['init_module', 'finit_module', 'delete_module']],
    ['picket_userfaultfd', ['userfaultfd']],
    ['picket_setuid', ['setuid', 'setreuid', 'setresuid']],
    ['picket_setgid', ['setgid', 'setregid', 'setresgid']],
    ['picket_mount', ['mount', 'umount2']],
    ['picket_bpf', ['bpf']],
  ])('%s records %p on x86_64', (key, syscalls) => {
    const listed = new Set(rules(x86).filter((r) => keyOf(r) === key && r.includes('arch=b64')).flatMap((r) => / -S (\S+)/.exec(r)![1]!.split(',')));
    for (const s of syscalls) expect({ key, s, listed: listed.has(s) }).toEqual({ key, s, listed: true });
  });

  it.each(['/etc/passwd', '/etc/shadow', '/etc/sudoers', '/etc/sudoers.d', '/etc/cron.d', '/var/spool/cron', '/etc/systemd/system', '/root/.ssh', '/etc/ssh/sshd_config', '/etc/ld.so.preload', '/etc/pam.d', '/etc/audit', '/root/.bash_history', '/etc/profile', '/etc/rc.local'])(
    'watches %s for writes and attribute changes',
    (path) => {
      expect(x86).toMatch(new RegExp(`^-w ${path.replace(/\./g, '\\.')} -p wa -k picket_`, 'm'));
    },
  );
});

describe('docs/agent.md', () => {
  it('documents every rule key (with its cost)', () => {
    const keys = new Set(rules(x86).map((r) => keyOf(r)!));
    for (const key of keys) expect({ key, documented: DOCS.includes(`\`${key}\``) }).toEqual({ key, documented: true });
  });
});
