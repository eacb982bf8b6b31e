/**
 * Execution:Runtime/SuspiciousCommand — a payload is delivered straight into an interpreter: a
 * download or a decoder feeds a shell or interpreter through a pipe (`curl … | sh`,
 * `echo … | base64 -d | bash`), or its output becomes the script (`sh -c "$(curl …)"`,
 * `bash <(wget -O- …)`). Two ways to see it: the -c string of the shell that runs the pipeline,
 * and the sequence of sibling processes (a downloader or decoder, then a shell reading stdin, under
 * the same parent within seconds) for pipelines typed into an interactive or remote shell.
 * Medium; High from a foothold; Low at a terminal or under package/config management.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { DOWNLOADERS, isDecoderCommand } from '../../knowledge/commands';
import { INTERPRETERS } from '../../knowledge/interpreters';
import { baseName, inSet, programFamily } from '../../knowledge/names';
import { SHELLS } from '../../knowledge/shells';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { commandsOf } from './support/command-view';
import { compact } from './support/compact';
import { footholdReason } from './support/foothold';
import { commandLine, isAdminToolingLineage, isInteractive, ppidKey, processName } from './support/process-context';
import { allPipelines, type SimpleCommand } from './support/shell-command';
import { readsCommandsFromStdin } from './support/shell-invocation';

const TYPE = 'Execution:Runtime/SuspiciousCommand';
const NS_STAGE = 'behaviour.stage';
const STAGE_WINDOW_MS = 5_000;

interface StageMemo {
  readonly kind: 'download' | 'decode';
  readonly name: string;
  readonly ts: string;
}

export const suspiciousCommandExecution: DetectionRule = {
  id: 'suspicious-command-execution',
  kinds: ['process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    const own = processName(event);
    const name = programFamily(own);
    const stage = stageKind(event.process.argv, own);
    if (stage) {
      ctx.state.remember(NS_STAGE, ppidKey(event), { kind: stage, name: own, ts: event.ts } satisfies StageMemo, STAGE_WINDOW_MS, ctx.now);
    }
    let found: { kind: 'download' | 'decode'; via: string } | undefined;
    const { parsed } = commandsOf(event);
    if (parsed) {
      for (const p of allPipelines(parsed)) {
        const feeder = p.findIndex((c) => stageKind(c.words, baseName(c.words[0])) !== undefined);
        if (feeder >= 0 && p.slice(feeder + 1).some(isStdinInterpreter)) {
          found = { kind: stageKind(p[feeder]?.words ?? [], baseName(p[feeder]?.words[0])) as 'download' | 'decode', via: 'pipeline' };
          break;
        }
      }
      if (!found) {
        // Output of a download or decoder used as the script: sh -c "$(curl …)", bash <(curl …), eval "$(… | base64 -d)".
        const text = event.process.argv.join(' ');
        const sub = /(?:\b(?:sh|bash|zsh|dash|eval|source|\.)\s+(?:-c\s+)?["']?[$<]\()\s*(curl|wget|fetch|base64|xxd|openssl)\b/.exec(text);
        if (sub) found = { kind: DOWNLOADERS.has(sub[1] as string) ? 'download' : 'decode', via: 'command substitution' };
      }
    }
    if (!found && (inSet(SHELLS, name) || inSet(INTERPRETERS, name)) && readsCommandsFromStdin(event.process.argv) && !isInteractive(event)) {
      const sibling = ctx.state.recall<StageMemo>(NS_STAGE, ppidKey(event), ctx.now);
      if (sibling && ctx.now - Date.parse(sibling.ts) <= STAGE_WINDOW_MS) found = { kind: sibling.kind, via: `sibling ${sibling.name}` };
    }
    if (!found) return NO_FINDINGS;
    const foothold = footholdReason(event, ctx);
    const severity = isAdminToolingLineage(event) || isInteractive(event) ? 2 : foothold ? 8 : 5;
    const what = found.kind === 'download' ? 'downloaded content' : 'decoded content';
    return [
      {
        type: TYPE,
        severity,
        aggregationKey: `${found.kind}-exec|${event.process.exe}`,
        description: `${processName(event)} (pid ${event.process.pid}) ran ${what} straight in a shell or interpreter (${found.via})${foothold ? `; ${foothold}` : ''}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ commandLineExample: commandLine(event.process.argv, 500), technique: `${found.kind}-and-execute` }),
        evidence: { via: found.via, foothold },
      },
    ];
  },
};

function stageKind(argv: readonly string[], name: string): 'download' | 'decode' | undefined {
  if (DOWNLOADERS.has(name)) {
    // Only a download that writes to stdout can feed a pipe (curl URL, curl -o -, wget -O-).
    const args = argv.slice(1);
    const outIdx = args.findIndex((a) => a === '-o' || a === '-O' || a === '--output' || a === '--output-document');
    const toStdout =
      name === 'wget'
        ? (outIdx >= 0 && args[outIdx + 1] === '-') || args.some((a) => a === '-O-' || a === '-qO-')
        : outIdx < 0 || args[outIdx + 1] === '-';
    return toStdout && args.some((a) => /^(?:https?|ftp|tftp):\/\//i.test(a) || /^[\w.-]+:\d+\//.test(a)) ? 'download' : undefined;
  }
  return isDecoderCommand(argv, name) ? 'decode' : undefined;
}

function isStdinInterpreter(c: SimpleCommand): boolean {
  const n = programFamily(baseName(c.words[0]));
  if (n === 'sudo' || n === 'env') return isStdinInterpreter({ ...c, words: c.words.slice(1) });
  if (inSet(SHELLS, n)) return readsCommandsFromStdin(c.words);
  if (inSet(INTERPRETERS, n)) return c.words.length === 1 || c.words[1] === '-';
  return false;
}
