/**
 * Signs that a process runs from an attacker's foothold rather than an administrator's session:
 * an ancestor is a network service (or was seen listening), a shell in its lineage has a socket
 * on stdio, or its executable sits in a world-writable directory. Used to raise severities.
 */
import type { ActivityEvent } from '../../../../events/runtime-event';
import { inSet, programFamily } from '../../../knowledge/names';
import { NETWORK_SERVICES } from '../../../knowledge/network-services';
import { inDropDir } from '../../../knowledge/paths';
import type { RuleContext } from '../../../rule';
import { entryNames, socketStdio } from './process-context';
import { type ListenerMemo, NS_LISTENER } from './state-keys';

export function footholdReason(event: ActivityEvent, { state, now }: RuleContext): string | undefined {
  if (socketStdio(event)?.info.remoteIp) return 'its standard streams are a network socket';
  if (inDropDir(event.process.exe)) return `it runs from a world-writable directory (${event.process.exe})`;
  for (const a of event.lineage.slice(0, 6)) {
    const names = entryNames(a);
    if (names.includes('sshd') || names.includes('sshd-session')) return undefined;
    if (names.some((n) => inSet(NETWORK_SERVICES, programFamily(n)))) return `its ancestor ${names[0]} (pid ${a.pid}) is a network service`;
    const l = state.recall<ListenerMemo>(NS_LISTENER, a.pid, now);
    if (l && l.exe === a.exe) return `its ancestor ${names[0]} (pid ${a.pid}) accepts network connections`;
  }
  return undefined;
}
