/**
 * Per-event memo shared by all rules of one loaded rule set: each field is read, and each text
 * lowercased, once per event however many rules look at it. The engine evaluates the rules of one
 * event back to back, so a one-slot cache keyed on the event object is enough (events are immutable).
 */
import type { ActivityEvent } from '../../events/runtime-event';
import type { FieldDef, FieldValue } from './field-map';
import type { MatchEnv } from './leaf';
import type { Prefilter } from './prefilter';

class EventMatchEnv implements MatchEnv {
  private readonly values = new Map<FieldDef, FieldValue>();
  private readonly lowered = new Map<string, string>();
  private hits: Uint8Array | undefined;
  constructor(
    readonly event: ActivityEvent,
    private readonly prefilter: Prefilter | undefined,
  ) {}

  atomHits(): Uint8Array {
    this.hits ??= this.prefilter ? this.prefilter.scan(this.event.kind, (d) => this.value(d)) : new Uint8Array(0);
    return this.hits;
  }

  value(def: FieldDef): FieldValue {
    if (this.values.has(def)) return this.values.get(def);
    const v = def.get(this.event);
    this.values.set(def, v);
    return v;
  }

  lower(text: string): string {
    let l = this.lowered.get(text);
    if (l === undefined) {
      l = text.toLowerCase();
      this.lowered.set(text, l);
    }
    return l;
  }
}

export class MatchEnvCache {
  private last: EventMatchEnv | undefined;
  /** Set once every rule of the set is compiled (rules read it at match time). */
  prefilter: Prefilter | undefined;

  for(event: ActivityEvent): MatchEnv {
    if (this.last?.event !== event) this.last = new EventMatchEnv(event, this.prefilter);
    return this.last;
  }
}
