/**
 * The shared public corpora (../shared/corpora: laurel, go-libaudit, audit-userspace, OTRF), read in
 * place. The laurel perl reverse shell is an unseen real attack (captured by others, on another
 * host, to 10.0.0.1) and must be detected; every other file is benign and must raise nothing at
 * Medium or higher. Skipped with a message when the corpora are not beside the repository.
 */
import * as path from 'node:path';
import { CORPORA_DIR, corporaAvailable, corporaLogs } from './fixtures';
import { MEDIUM_FLOOR, replayCapture, summary } from './replay';

const available = corporaAvailable();
if (!available) {
  process.stderr.write(`corpora tests skipped: ${CORPORA_DIR} not found (clone shared/ beside the repository)\n`);
}
const describeIfCorpora = available ? describe : describe.skip;

describeIfCorpora('shared corpora', () => {
  it('detects the laurel perl reverse shell as a High ReverseShell', () => {
    const { findings } = replayCapture(path.join(CORPORA_DIR, 'laurel/record-perl-reverse-shell.txt'));
    const rs = findings.filter((f) => f.type === 'Execution:Runtime/ReverseShell');
    expect(rs.map(summary)).not.toEqual([]);
    expect(Math.max(...rs.map((f) => f.severity))).toBeGreaterThanOrEqual(7);
    // The remote end is read from the code itself (the file has no connect record).
    expect(rs[0]?.service.runtimeDetails?.context).toMatchObject({ remoteIp: '10.0.0.1', remotePort: 1234 });
  });

  it('treats the laurel strace PTRACE_SEIZE of another process as a debugger at work', () => {
    const { findings, events } = replayCapture(path.join(CORPORA_DIR, 'laurel/record-ptrace.txt'));
    expect(events.some((e) => e.kind === 'ptrace')).toBe(true);
    expect(findings.filter((f) => f.severity >= MEDIUM_FLOOR).map(summary)).toEqual([]);
  });

  it('raises nothing at Medium or higher on the benign corpus files', () => {
    const files = corporaLogs().filter((f) => !f.endsWith('record-perl-reverse-shell.txt'));
    expect(files.length).toBeGreaterThan(20);
    const loud: string[] = [];
    let low = 0;
    for (const f of files) {
      for (const finding of replayCapture(f).findings) {
        if (finding.severity >= MEDIUM_FLOOR) loud.push(`${path.relative(CORPORA_DIR, f)}: ${summary(finding)}`);
        else low++;
      }
    }
    process.stdout.write(`shared corpora: ${files.length} benign files, ${low} Low findings\n`);
    expect(loud).toEqual([]);
  });
});
