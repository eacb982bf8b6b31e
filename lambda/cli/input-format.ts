/**
 * The input formats `picket detect` reads, and how to tell them apart from the first meaningful line
 * when `--format` is not given.
 */
export const INPUT_FORMATS = ['auditd', 'events', 'resolver', 'flowlogs'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

const AUDIT_LINE = /^(node=\S+ )?type=[A-Z0-9_]+ msg=audit\(\d+\.\d+:\d+\)/;
const FLOW_RECORD = /^\d+ (\d{12}|unknown) /;

/** The format of a line, or undefined when it says nothing (blank, comment) or is unrecognisable. */
export function sniffFormat(line: string): InputFormat | undefined {
  const text = line.trim();
  if (text.length === 0 || text.startsWith('#')) return undefined;
  if (AUDIT_LINE.test(text)) return 'auditd';
  if (text.startsWith('{')) {
    if (/"query_name"\s*:/.test(text)) return 'resolver';
    if (/"kind"\s*:/.test(text)) return 'events';
    return undefined;
  }
  if (/^version\s/.test(text) || /\bsrcaddr\b.*\bdstaddr\b/.test(text) || FLOW_RECORD.test(text)) return 'flowlogs';
  return undefined;
}
