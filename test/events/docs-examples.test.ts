/**
 * Every ```json block of docs/events.md is checked with the real validator (or, for an EventBridge event,
 * with the ingest gate), and every kind must have its example: the doc cannot drift from the contract.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gateIngestEvent } from '../../lambda/domain/events/ingest-gate';
import { EVENT_KINDS } from '../../lambda/domain/events/runtime-event';
import { validateEventBatchDetail, validateRuntimeEvent } from '../../lambda/domain/events/validate';

const DOC = resolve(__dirname, '../../docs/events.md');
const markdown = readFileSync(DOC, 'utf8');

/** The ```json blocks with the line each starts on. */
function jsonBlocks(text: string): { line: number; body: string }[] {
  const blocks: { line: number; body: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```json') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    blocks.push({ line: start + 1, body: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

const blocks = jsonBlocks(markdown);

function parse(block: { line: number; body: string }): Record<string, unknown> {
  try {
    return JSON.parse(block.body);
  } catch (error) {
    throw new Error(`docs/events.md:${block.line}: not JSON: ${(error as Error).message}`);
  }
}

describe('docs/events.md examples', () => {
  it('has JSON examples to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(EVENT_KINDS.length);
  });

  it.each(blocks.map((b) => [`line ${b.line}`, b] as const))('the block at %s is valid', (_where, block) => {
    const value = parse(block);
    if ('detail-type' in value) {
      const gate = gateIngestEvent(value);
      if (!gate.ok) throw new Error(`docs/events.md:${block.line}: ${gate.reason}`);
      expect(gate.rejected).toEqual([]);
      expect(gate.accepted.length).toBe((value['detail'] as { count: number }).count);
    } else if ('encoding' in value) {
      const result = validateEventBatchDetail(value);
      if (!result.ok) throw new Error(`docs/events.md:${block.line}: ${result.reason}`);
    } else {
      const result = validateRuntimeEvent(value);
      if (!result.ok) throw new Error(`docs/events.md:${block.line}: ${result.reason}`);
    }
  });

  it('shows every kind, under its own heading, with an example of that kind', () => {
    const kindsWithExample = new Set(
      blocks
        .map((b) => parse(b))
        .filter((v) => typeof v['kind'] === 'string')
        .map((v) => v['kind'] as string),
    );
    expect([...kindsWithExample].sort()).toEqual([...EVENT_KINDS].sort());
    for (const kind of EVENT_KINDS) expect(markdown).toContain(`### \`${kind}\``);
  });
});
