/**
 * JSON of a runtime event for the batcher, with each lineage entry serialised once rather than once per event.
 *
 * Lineage is most of an event's bytes (up to 8 ancestors with their argv; ~2.4 KB an exec event under the agent
 * bench's load) and the same ancestors repeat in every event of their descendants. The process table hands out
 * one cached view object per ancestor and never changes it (a change builds a new view: ProcessTable.changed),
 * so a view's JSON can be remembered by identity. Keys come out in the same order as JSON.stringify except
 * `lineage`, which is written last; JSON.parse gives the same value either way.
 */
import type { RuntimeEvent } from '../../../lambda/domain/events/runtime-event';

const lineageJson = new WeakMap<object, string>();

export function serialiseEvent(event: RuntimeEvent): string {
  const lineage = (event as { readonly lineage?: readonly object[] }).lineage;
  if (lineage === undefined || lineage.length === 0) return JSON.stringify(event);
  const { lineage: _lineage, ...rest } = event as RuntimeEvent & { lineage: readonly object[] };
  let out = JSON.stringify(rest);
  out = `${out.slice(0, -1)}${out.length > 2 ? ',' : ''}"lineage":[`;
  for (let i = 0; i < lineage.length; i++) {
    const entry = lineage[i]!;
    let json = lineageJson.get(entry);
    if (json === undefined) {
      json = JSON.stringify(entry);
      lineageJson.set(entry, json);
    }
    out += i === 0 ? json : `,${json}`;
  }
  return `${out}]}`;
}
