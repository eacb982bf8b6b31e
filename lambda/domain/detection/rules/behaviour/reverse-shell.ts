/**
 * Execution:Runtime/ReverseShell — a command shell (or interpreter) driven over a network socket.
 *
 * Fires on behaviour, three ways:
 *  1. stdio: a shell or interpreter starts with a standard stream that is an inet socket (the agent
 *     saw the socket dup'ed onto fd 0-2 before exec);
 *  2. sequence: a process connected out and then became a shell (exec in the same pid — perl/python
 *     `exec("/bin/sh")`), or started a shell that reads commands from stdin, with no terminal;
 *  3. inline code: an interpreter's `-e/-c` code both opens a connection, wires it onto stdio and
 *     starts a shell; or a shell command line redirects a shell to /dev/tcp, or pipes a shell into
 *     a network client (the mkfifo / nc shapes).
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { INLINE_CAPABILITIES, INLINE_CODE_FLAGS, INTERPRETERS } from '../../knowledge/interpreters';
import { baseName, inSet, programFamily } from '../../knowledge/names';
import { SHELLS } from '../../knowledge/shells';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { commandsOf } from './support/command-view';
import { compact } from './support/compact';
import { commandLine, isInteractive, pidKey, ppidKey, processName, socketStdio } from './support/process-context';
import { allCommands, allPipelines } from './support/shell-command';
import { readsCommandsFromStdin } from './support/shell-invocation';
import { type ConnectMemo, NS_CONNECT } from './support/state-keys';

const TYPE = 'Execution:Runtime/ReverseShell';
/** A connect this recent before the shell makes the two one action. */
const SEQUENCE_WINDOW_MS = 60_000;
const NETWORK_CLIENTS: ReadonlySet<string> = new Set(['nc', 'nc.openbsd', 'nc.traditional', 'ncat', 'netcat', 'telnet', 'socat', 'openssl', 'busybox', 'cryptcat', 'sbd']);

export const reverseShell: DetectionRule = {
  id: 'reverse-shell',
  kinds: ['process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    const name = programFamily(processName(event));
    const isShell = inSet(SHELLS, name);
    const isInterpreter = inSet(INTERPRETERS, name);
    // Only a shell or an interpreter can be the shell of a reverse shell (most execs end here).
    if (!isShell && !isInterpreter) return NO_FINDINGS;
    const out: FindingCandidate[] = [];
    const sock = socketStdio(event);
    // A prompt on the socket: a shell or REPL reading its commands from the connection. Scripts and
    // -c strings with socket stdio are socket-activated services or commands run from a shell
    // already reported.
    if (sock?.info.remoteIp && readsCommandsFromStdin(event.process.argv)) {
      const remote = `${sock.info.remoteIp}:${sock.info.remotePort ?? '?'}`;
      out.push({
        type: TYPE,
        aggregationKey: `socket:${remote}`,
        description: `${processName(event)} (pid ${event.process.pid}) started with its ${sock.fd} connected to ${remote}: a shell driven over the network.`,
        context: compact({ remoteIp: sock.info.remoteIp, remotePort: sock.info.remotePort, stdio: sock.fd }),
        evidence: { signal: 'socket-on-stdio', stdio: event.process.stdio },
      });
      return out;
    }
    const seq = connectThenShell(event, ctx, isShell);
    if (seq) out.push(seq);
    const inline = isInterpreter ? inlineReverseShell(event, name) : shellLineReverseShell(event);
    if (inline && out.length === 0) out.push(inline);
    return out;
  },
};

function connectThenShell(event: ActivityEvent, { state, now }: RuleContext, isShell: boolean): FindingCandidate | undefined {
  // Only an interactive-style shell (no -c string, no script, or -i) is a prompt for a remote user;
  // a process that connects and then runs `sh -c "…"` is how many programs run helpers.
  if (!isShell || isInteractive(event) || !readsCommandsFromStdin(event.process.argv)) return undefined;
  const own = state.recall<ConnectMemo>(NS_CONNECT, pidKey(event), now);
  const parent = state.recall<ConnectMemo>(NS_CONNECT, ppidKey(event), now);
  let memo: ConnectMemo | undefined;
  let how = '';
  if (own && now - Date.parse(own.ts) <= SEQUENCE_WINDOW_MS) {
    memo = own;
    how = `${baseName(own.exe)} connected to ${own.remoteIp}:${own.remotePort} and then replaced itself with ${processName(event)}`;
  } else if (parent && now - Date.parse(parent.ts) <= SEQUENCE_WINDOW_MS) {
    memo = parent;
    how = `${baseName(parent.exe)} (pid ${event.process.ppid}) connected to ${parent.remoteIp}:${parent.remotePort} and then started ${processName(event)} reading commands from its stdin`;
  }
  if (!memo) return undefined;
  return {
    type: TYPE,
    aggregationKey: `socket:${memo.remoteIp}:${memo.remotePort}`,
    description: `${how}, with no terminal: a shell driven over the network.`,
    context: compact({ remoteIp: memo.remoteIp, remotePort: memo.remotePort }),
    evidence: { signal: 'connect-then-shell', connectedAt: memo.ts, connector: memo.exe },
  };
}

function inlineReverseShell(event: ActivityEvent, family: string): FindingCandidate | undefined {
  const flags = INLINE_CODE_FLAGS[family] ?? ['-c', '-e'];
  const argv = event.process.argv;
  const idx = argv.findIndex((a, i) => i > 0 && flags.includes(a));
  if (idx < 0 || idx + 1 >= argv.length) return undefined;
  const code = argv.slice(idx + 1).join(' ');
  const has = (patterns: readonly RegExp[]) => patterns.some((p) => p.test(code));
  if (!(has(INLINE_CAPABILITIES.connects) && has(INLINE_CAPABILITIES.wiresStdio) && has(INLINE_CAPABILITIES.spawnsShell))) return undefined;
  const remote = remoteInText(code);
  return {
    type: TYPE,
    // Keyed like the socket-on-stdio finding of the shell it starts, so one attack is one finding.
    aggregationKey: remote ? `socket:${remote.ip}:${remote.port}` : `inline:${family}`,
    description: `${processName(event)} ran inline code that opens a network connection${remote ? ` to ${remote.ip}:${remote.port}` : ''}, puts it on stdin/stdout and starts a shell: ${commandLine(argv, 200)}`,
    context: compact({ remoteIp: remote?.ip, remotePort: remote?.port, commandLineExample: commandLine(argv, 500) }),
    evidence: { signal: 'inline-code', interpreter: family },
  };
}

function shellLineReverseShell(event: ActivityEvent): FindingCandidate | undefined {
  const { parsed } = commandsOf(event);
  if (!parsed) return undefined;
  const devTcp = allCommands(parsed).find(
    (c) => inSet(SHELLS, programFamily(baseName(c.words[0]))) && c.redirects.some((r) => /^\/dev\/(?:tcp|udp)\//.test(r.target)),
  );
  const ncPipe = allPipelines(parsed).find(
    (p) => p.some((c) => inSet(SHELLS, programFamily(baseName(c.words[0])))) && p.some((c) => NETWORK_CLIENTS.has(baseName(c.words[0]))),
  );
  const ncExec = allCommands(parsed).find(
    (c) => NETWORK_CLIENTS.has(baseName(c.words[0])) && c.words.some((w, i) => (w === '-e' || w === '-c' || /^exec:/i.test(w)) && (i === 0 || /sh\b/.test(c.words[i + 1] ?? w))),
  );
  const hit = devTcp ?? ncPipe?.[0] ?? ncExec;
  if (!hit) return undefined;
  const target = devTcp?.redirects.find((r) => r.target.startsWith('/dev/'))?.target;
  const remote = remoteInText(target ?? hit.words.join(' '));
  return {
    type: TYPE,
    aggregationKey: remote ? `socket:${remote.ip}:${remote.port}` : `shell-line:${target ?? baseName(hit.words[0])}`,
    description: `${processName(event)} ran a command line that connects a shell to the network: ${commandLine(event.process.argv, 200)}`,
    context: compact({ remoteIp: remote?.ip, remotePort: remote?.port, commandLineExample: commandLine(event.process.argv, 500) }),
    evidence: { signal: devTcp ? 'dev-tcp-redirect' : ncPipe ? 'shell-piped-to-network-client' : 'network-client-exec', target },
  };
}

/**
 * The first IPv4 address and the port written next to it in code or a command line
 * (`("10.0.0.1",4444)`, `$i="10.0.0.1";$p=4444`, `/dev/tcp/10.0.0.1/4444`, `nc 10.0.0.1 4444`).
 */
export function remoteInText(text: string): { ip: string; port: number } | undefined {
  const m = /\b((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})\b["']?\s*[,;:/ ]\s*(?:\$\w+\s*=\s*)?["']?(\d{1,5})\b/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { ip: m[1] as string, port } : undefined;
}
