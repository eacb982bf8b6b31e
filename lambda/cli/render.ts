/**
 * Rendering findings for people. Every string that came from a host (paths, command lines, domains) is
 * attacker-controlled: control characters and terminal escape sequences are made visible, never
 * passed through to the terminal.
 */
import type { Finding } from '../domain/findings/finding';
import { severityLabel } from '../domain/findings/finding';

/** Replaces C0/C1 control characters (ESC included) with visible escapes such as \x1b. */
export function escapeForTerminal(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function cell(text: string, width: number): string {
  const safe = escapeForTerminal(text);
  return safe.length > width ? safe.slice(0, width - 1) + '…' : safe.padEnd(width);
}

export function findingsTable(findings: readonly Finding[]): string {
  const header = `${'SEVERITY'.padEnd(12)} ${'TYPE'.padEnd(52)} ${'INSTANCE'.padEnd(20)} ${'COUNT'.padStart(5)}  ${'PROCESS'.padEnd(24)} DESCRIPTION`;
  const rows = findings.map((f) => {
    const process = f.service.runtimeDetails?.process?.executablePath ?? '';
    return [
      cell(`${severityLabel(f.severity)} ${f.severity.toFixed(1)}`, 12),
      cell(f.type, 52),
      cell(f.resource.instanceDetails.instanceId, 20),
      String(f.service.count).padStart(5),
      '',
      cell(process, 24),
      escapeForTerminal(f.description).slice(0, 160),
    ].join(' ');
  });
  return [header, ...rows].join('\n');
}
