/**
 * Execution:Runtime/SuspiciousShellCreated — a network-facing process (a web, application or
 * database server, or any process Picket saw listening or accepting connections) started a shell,
 * without a terminal. That is what command injection and web shells look like from the host.
 * sshd is not a network service here: its shells are how people log in.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { baseName, inSet, programFamily } from '../../knowledge/names';
import { NETWORK_SERVICES } from '../../knowledge/network-services';
import { SHELLS } from '../../knowledge/shells';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { commandLine, entryNames, isInteractive, processName } from './support/process-context';
import { type ListenerMemo, NS_LISTENER } from './support/state-keys';

const TYPE = 'Execution:Runtime/SuspiciousShellCreated';
/** Ancestors examined: a service often runs the shell through a wrapper (env, timeout, a CGI runner). */
const DEPTH = 3;

export const suspiciousShellCreated: DetectionRule = {
  id: 'suspicious-shell-created',
  kinds: ['process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, { state, now }: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    if (!inSet(SHELLS, programFamily(processName(event))) || isInteractive(event)) return NO_FINDINGS;
    for (const ancestor of event.lineage.slice(0, DEPTH)) {
      const names = entryNames(ancestor);
      if (names.some((n) => n === 'sshd' || n === 'sshd-session')) return NO_FINDINGS;
      const listener = state.recall<ListenerMemo>(NS_LISTENER, ancestor.pid, now);
      const known = names.find((n) => inSet(NETWORK_SERVICES, programFamily(n)));
      const listening = listener && listener.exe === ancestor.exe;
      if (!known && !listening) {
        // A shell between the service and this shell is fine (sh -c wrapping); anything else ends the walk.
        if (inSet(SHELLS, programFamily(baseName(ancestor.exe))) || baseName(ancestor.exe) === 'env' || baseName(ancestor.exe) === 'timeout') continue;
        return NO_FINDINGS;
      }
      const service = known ?? baseName(ancestor.exe);
      const where = listening ? ` (listening on ${listener?.ip ?? '*'}:${listener?.port ?? '?'})` : '';
      return [
        {
          type: TYPE,
          aggregationKey: `${ancestor.exe}|${event.process.exe}`,
          description: `Network-facing ${service} (pid ${ancestor.pid})${where} started ${processName(event)} without a terminal: ${commandLine(event.process.argv, 200)}`,
          context: compact({ parentProcess: service, commandLineExample: commandLine(event.process.argv, 500) }),
          evidence: { service: ancestor.exe, servicePid: ancestor.pid, seenListening: !!listening },
        },
      ];
    }
    return NO_FINDINGS;
  },
};
