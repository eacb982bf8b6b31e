/** Value transformations of Sigma's base64, base64offset and windash modifiers (pySigma semantics). */

/** `base64`: the value's UTF-8 bytes, Base64-encoded. */
export function base64(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

/**
 * `base64offset`: the three encodings of the value as it appears at byte offsets 0, 1 and 2 of a
 * longer Base64-encoded text, with the characters that depend on the neighbouring bytes cut off.
 */
export function base64Offsets(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const startCut = [0, 2, 3];
  const endCut = [0, 3, 2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const encoded = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64');
    const end = endCut[(bytes.length + i) % 3]!;
    out.push(encoded.slice(startCut[i]!, end === 0 ? undefined : encoded.length - end));
  }
  return out;
}

/** Dashes Windows tools accept for an option: ASCII hyphen, slash, en dash, em dash, horizontal bar. */
const WINDASH = ['-', '/', '\u2013', '\u2014', '\u2015'];
/** Most spellings one windash value may expand to (5^3): beyond that the rule is refused, not truncated. */
export const WINDASH_MAX_VARIANTS = 125;

/** `windash`: every spelling of the value with each option dash (`-x`, `/x`) replaced by each dash. */
export function windashVariants(value: string): string[] | undefined {
  const positions: number[] = [];
  const re = /\B[-/]\b/g;
  for (let m = re.exec(value); m; m = re.exec(value)) positions.push(m.index);
  if (positions.length === 0) return [value];
  if (WINDASH.length ** positions.length > WINDASH_MAX_VARIANTS) return undefined;
  let variants = [value];
  for (const pos of positions) {
    const next: string[] = [];
    for (const v of variants) for (const dash of WINDASH) next.push(v.slice(0, pos) + dash + v.slice(pos + 1));
    variants = next;
  }
  return variants;
}
