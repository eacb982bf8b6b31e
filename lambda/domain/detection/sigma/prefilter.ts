/**
 * The rule-set prefilter. Every leaf that compares a field with literal text yields a NECESSARY
 * condition "the lowercased field contains <literal>" (an atom): `Image|endswith: '/nc'` cannot hold
 * unless the image contains "/nc". A rule's atoms combine through its condition (AND: the most
 * selective child's; OR: the union; NOT: none), so a rule whose atoms all miss cannot match and is not
 * evaluated. Per event, one Aho-Corasick pass per indexed field finds every atom at once, in time
 * linear in the field's length whatever the number of rules (ASCII case-folded inside the automaton).
 *
 * The automaton is a dense DFA whose columns are the characters that occur in some literal (plus one
 * for every other character); non-ASCII characters are folded into one symbol first. Folding can only
 * add hits (a prefilter false positive, then the real test decides), never lose one.
 */
import type { EventKind } from '../../events/runtime-event';
import type { FieldDef, FieldValue } from './field-map';

const ALPHABET = 129; // 0-127 ASCII, 128 = any other UTF-16 unit
const symbol = (code: number) => Math.min(code, 128);

class Automaton {
  /** Symbol → column: only characters that occur in some literal get their own column (0 = any other). */
  private readonly column = new Uint8Array(ALPHABET);
  private readonly width: number;
  private readonly delta: Int32Array;
  /** Atom ids ending at each state (failure-closed). */
  private readonly outputs: (readonly number[] | undefined)[];

  constructor(literals: ReadonlyMap<string, number>) {
    let width = 1;
    for (const lit of literals.keys()) {
      for (let i = 0; i < lit.length; i++) {
        const c = symbol(lit.charCodeAt(i));
        if (this.column[c] === 0) this.column[c] = width++;
      }
    }
    // Literals are lowercase: upper-case ASCII shares the lower-case column, so raw text needs no lowercasing.
    for (let c = 65; c <= 90; c++) this.column[c] = this.column[c + 32]!;
    this.width = width;
    const goto: Map<number, number>[] = [new Map()];
    const out: number[][] = [[]];
    for (const [lit, id] of literals) {
      let s = 0;
      for (let i = 0; i < lit.length; i++) {
        const c = this.column[symbol(lit.charCodeAt(i))]!;
        let next = goto[s]!.get(c);
        if (next === undefined) {
          next = goto.length;
          goto.push(new Map());
          out.push([]);
          goto[s]!.set(c, next);
        }
        s = next;
      }
      out[s]!.push(id);
    }
    const n = goto.length;
    const delta = new Int32Array(n * width);
    const fail = new Int32Array(n);
    const queue: number[] = [];
    for (let c = 0; c < width; c++) {
      const t = goto[0]!.get(c);
      if (t !== undefined) {
        delta[c] = t;
        queue.push(t);
      }
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      const f = fail[s]!;
      if (out[f]!.length > 0) out[s] = [...out[s]!, ...out[f]!];
      for (let c = 0; c < width; c++) {
        const t = goto[s]!.get(c);
        if (t !== undefined) {
          fail[t] = delta[f * width + c]!;
          delta[s * width + c] = t;
          queue.push(t);
        } else {
          delta[s * width + c] = delta[f * width + c]!;
        }
      }
    }
    this.delta = delta;
    this.outputs = out.map((o) => (o.length > 0 ? o : undefined));
  }

  /** Marks the atoms found in `text`. Returns false when the text holds non-ASCII characters. */
  scan(text: string, hits: Uint8Array): boolean {
    const { delta, outputs, column, width } = this;
    let s = 0;
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 128) ascii = false;
      s = delta[s * width + column[symbol(code)]!]!;
      const o = outputs[s];
      if (o !== undefined) for (const id of o) hits[id] = 1;
    }
    return ascii;
  }

  /**
   * Scans the text as the matchers see it (lowercased). ASCII folding happens in the column table; a
   * non-ASCII character may lowercase to ASCII (the Kelvin sign to "k"), so such text is scanned again
   * after toLowerCase.
   */
  scanField(text: string, hits: Uint8Array): void {
    if (!this.scan(text, hits)) this.scan(text.toLowerCase(), hits);
  }
}

/** Collects atoms while rules compile; `build` freezes them into one automaton per field. */
export class AtomRegistry {
  private readonly byDef = new Map<FieldDef, Map<string, number>>();
  private next = 0;

  id(def: FieldDef, literal: string): number {
    let lits = this.byDef.get(def);
    if (!lits) {
      lits = new Map();
      this.byDef.set(def, lits);
    }
    let id = lits.get(literal);
    if (id === undefined) {
      id = this.next++;
      lits.set(literal, id);
    }
    return id;
  }

  build(): Prefilter {
    return new Prefilter(
      this.next,
      [...this.byDef.entries()].map(([def, lits]) => ({ def, automaton: new Automaton(lits) })),
    );
  }
}

export class Prefilter {
  constructor(
    private readonly size: number,
    private readonly fields: readonly { readonly def: FieldDef; readonly automaton: Automaton }[],
  ) {}

  /** Which atoms occur in the event (1 = occurs), reading fields through the event's memo. */
  scan(kind: EventKind, value: (def: FieldDef) => FieldValue): Uint8Array {
    const hits = new Uint8Array(this.size);
    for (const { def, automaton } of this.fields) {
      if (!def.kinds.includes(kind)) continue;
      const v = value(def);
      if (v === undefined) continue;
      if (typeof v === 'string') automaton.scanField(v, hits);
      else for (const t of v) automaton.scanField(t, hits);
    }
    return hits;
  }
}
