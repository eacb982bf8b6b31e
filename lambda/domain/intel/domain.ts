/**
 * Domain names as lists and lookups see them: lowercase ASCII (IDNs in their xn-- form), no
 * trailing dot, labels of letters, digits, `-` and `_` (SRV/DMARC-style names are real queries).
 */

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Normalised domain, or undefined when `text` is not a domain name. Accepts a leading `*.` or `.`. */
export function normaliseDomain(text: string): string | undefined {
  // Every DNS rule and each intel lookup normalises the same query of the event in turn: the last
  // answer is kept (the function is pure, so a one-entry memo cannot go stale).
  if (text === lastText) return lastNormal;
  lastNormal = normaliseUncached(text);
  lastText = text;
  return lastNormal;
}
let lastText: string | undefined;
let lastNormal: string | undefined;

function normaliseUncached(text: string): string | undefined {
  // Fast path: names from DNS events are almost always already lowercase and well formed, so one
  // character scan decides; only other spellings pay for trimming and lowercasing.
  if (isNormalDomain(text)) return text;
  let d = text.trim().toLowerCase();
  if (d.startsWith('*.')) d = d.slice(2);
  else if (d.startsWith('.')) d = d.slice(1);
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (d.length === 0 || d.length > 253) return undefined;
  const labels = d.split('.');
  for (const label of labels) if (!LABEL.test(label)) return undefined;
  // All-numeric last label: an IPv4 address or garbage, never a domain.
  if (/^\d+$/.test(labels[labels.length - 1])) return undefined;
  return d;
}

/** True when `s` is already a normalised domain (lowercase, valid labels, no leading/trailing dot). */
function isNormalDomain(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 253) return false;
  let labelStart = 0;
  let lastLabelNumeric = true;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 46;
    if (c === 46) {
      const len = i - labelStart;
      if (len === 0 || len > 63) return false;
      if (s.charCodeAt(labelStart) === 45 || s.charCodeAt(i - 1) === 45) return false; // no leading/trailing '-'
      if (i === n) return !lastLabelNumeric;
      labelStart = i + 1;
      lastLabelNumeric = true;
      continue;
    }
    const digit = c >= 48 && c <= 57;
    if (!(digit || (c >= 97 && c <= 122) || c === 45 || c === 95)) return false;
    if (!digit) lastLabelNumeric = false;
  }
  return false;
}

/**
 * Suffix set: a name matches when it, or any parent domain, is in the set. Lookup cost is the
 * number of labels in the queried name, never the size of the set. The most specific entry wins.
 */
export class DomainSuffixSet<V> {
  private readonly entries = new Map<string, V>();

  get size(): number {
    return this.entries.size;
  }

  /** Adds a normalised domain; keeps the first value for a repeated entry. */
  add(domain: string, value: V): void {
    if (!this.entries.has(domain)) this.entries.set(domain, value);
  }

  get(domain: string): V | undefined {
    return this.entries.get(domain);
  }

  /** Calls `fn` with the entry of `name` and of each parent that has one, most specific first. */
  forEachSuffix(name: string, fn: (value: V, suffix: string) => void): void {
    let from = 0;
    while (true) {
      const suffix = from === 0 ? name : name.slice(from);
      const v = this.entries.get(suffix);
      if (v !== undefined) fn(v, suffix);
      const dot = name.indexOf('.', from);
      if (dot < 0) return;
      from = dot + 1;
    }
  }
}

/** The lowercase name from a DNS query or answer, without the trailing dot; undefined when not a name. */
export function queryName(raw: string): string | undefined {
  return normaliseDomain(raw);
}
