/**
 * Records the per-instance context the behaviour rules read: who listens (network-facing
 * processes), who connected out, who wrote which file, each process's parent and exec-time
 * identity, and memfd_create calls. Raises nothing itself; it runs before the other behaviour rules.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { NAMESPACE_LAUNCHERS } from '../../knowledge/admin-tools';
import { inSet } from '../../knowledge/names';
import type { DetectionRule, FindingCandidate, RuleContext } from '../../rule';
import { eventNames, pidKey } from './support/process-context';
import {
  type ConnectMemo,
  type FileMemo,
  type ListenerMemo,
  type MemfdMemo,
  type NamespaceMemo,
  NS_CONNECT,
  NS_FILE,
  NS_LISTENER,
  NS_MEMFD,
  NS_NAMESPACE,
  NS_PROC,
  type ProcMemo,
  TTL,
} from './support/state-keys';

const NONE: readonly FindingCandidate[] = [];

export const contextRecorder: DetectionRule = {
  id: 'behaviour-context-recorder',
  kinds: ['process_exec', 'net_listen', 'net_accept', 'net_connect', 'file_write', 'file_chmod', 'file_rename', 'file_link', 'memfd_create'],
  types: [],
  evaluate(event: ActivityEvent, { state, now }: RuleContext): readonly FindingCandidate[] {
    if (event.success === false) return NONE;
    const pid = pidKey(event);
    switch (event.kind) {
      case 'process_exec': {
        const memo: ProcMemo = { ppid: event.process.ppid, exe: event.process.exe, uid: event.process.uid, euid: event.process.euid };
        state.remember(NS_PROC, pid, memo, TTL.proc, now);
        const launcher = firstInSet(eventNames(event), NAMESPACE_LAUNCHERS);
        if (launcher) state.remember(NS_NAMESPACE, pid, { launcher } satisfies NamespaceMemo, TTL.namespace, now);
        break;
      }
      case 'net_listen':
      case 'net_accept': {
        if (event.net.family === 'unix') break;
        const memo: ListenerMemo = { exe: event.process.exe, port: event.net.localPort, ip: event.net.localIp };
        state.remember(NS_LISTENER, pid, memo, TTL.listener, now);
        break;
      }
      case 'net_connect': {
        if (event.net.family === 'unix' || !event.net.remoteIp) break;
        const memo: ConnectMemo = { remoteIp: event.net.remoteIp, remotePort: event.net.remotePort, exe: event.process.exe, ts: event.ts };
        state.remember(NS_CONNECT, pid, memo, TTL.connect, now);
        break;
      }
      case 'file_write':
      case 'file_chmod':
      case 'file_rename':
      case 'file_link': {
        const path = event.kind === 'file_rename' || event.kind === 'file_link' ? (event.file.newPath ?? event.file.path) : event.file.path;
        const how = event.kind === 'file_write' ? 'write' : event.kind === 'file_chmod' ? 'chmod' : event.kind === 'file_rename' ? 'rename' : 'link';
        const { pid, exe } = event.process;
        const mode = event.file.mode;
        // Two literals rather than a conditional spread (a slow generic copy on every file event);
        // the keys keep the same order either way.
        const memo: FileMemo =
          mode !== undefined
            ? { pid, exe, how, mode, ts: event.ts, writerLineage: writerLineage(event) }
            : { pid, exe, how, ts: event.ts, writerLineage: writerLineage(event) };
        state.remember(NS_FILE, path, memo, TTL.file, now);
        break;
      }
      case 'memfd_create': {
        const memo: MemfdMemo = { name: event.memfd.name, ts: event.ts };
        state.remember(NS_MEMFD, pid, memo, TTL.memfd, now);
        break;
      }
      default:
        break;
    }
    return NONE;
  },
};

function firstInSet(names: readonly string[], set: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < names.length; i++) if (inSet(set, names[i] as string)) return names[i];
  return undefined;
}

/**
 * Names of the writer, then of up to 6 ancestors (executable basename and first argument's
 * basename). Built with plain loops: it runs on every file event.
 */
function writerLineage(event: ActivityEvent): string[] {
  const out = eventNames(event).slice();
  const lineage = event.lineage;
  const n = Math.min(lineage.length, 6);
  for (let i = 0; i < n; i++) {
    const e = lineage[i] as (typeof lineage)[number];
    out.push(e.exe.slice(e.exe.lastIndexOf('/') + 1));
    const a = e.argv !== undefined && e.argv.length > 1 ? e.argv[1] : undefined;
    if (a !== undefined) out.push(a.slice(a.lastIndexOf('/') + 1));
  }
  return out;
}
