/**
 * The schema in docs/ and the TypeScript contract must say the same thing: same kinds, same limits.
 * These tests read both, so changing one without the other fails here.
 */
import Ajv2020 from 'ajv/dist/2020';
import schema from '../../docs/runtime-event.schema.json';
import { EVENT_KINDS, LIMITS } from '../../lambda/domain/events/runtime-event';

/** The parts of a schema node these tests read. */
interface Node {
  readonly $ref?: string;
  readonly properties?: Record<string, Node>;
  readonly required?: readonly string[];
  readonly const?: string;
  readonly enum?: readonly string[];
  readonly maxItems?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
}
const defs = schema.$defs as unknown as Record<string, Node>;
const root = schema as unknown as Node & { oneOf: Node[] };

function resolve(node: Node): Node {
  return node.$ref !== undefined ? defs[node.$ref.replace('#/$defs/', '')]! : node;
}

function kindsOf(branch: Node): string[] {
  const kind = resolve(branch).properties!['kind']!;
  return kind.const !== undefined ? [kind.const] : [...kind.enum!];
}

describe('docs/runtime-event.schema.json', () => {
  it('is a valid draft 2020-12 schema', () => {
    const ajv = new Ajv2020({ discriminator: true });
    expect(ajv.validateSchema(schema)).toBe(true);
  });

  it('lists exactly the kinds of runtime-event.ts, in order', () => {
    expect(defs['kind']!.enum).toEqual([...EVENT_KINDS]);
  });

  it('has one oneOf branch per kind, each kind in exactly one branch', () => {
    const tagged = root.oneOf.flatMap(kindsOf);
    expect([...tagged].sort()).toEqual([...EVENT_KINDS].sort());
  });

  it('requires process and lineage for every kind but heartbeat', () => {
    for (const branch of root.oneOf) {
      const sub = resolve(branch);
      const kinds = kindsOf(branch);
      const needsProcess = !kinds.includes('heartbeat');
      expect({ kinds, process: sub.required!.includes('process'), lineage: sub.required!.includes('lineage') }).toEqual({
        kinds,
        process: needsProcess,
        lineage: needsProcess,
      });
    }
  });

  it('carries the numbers of LIMITS', () => {
    expect(defs['argv']!.maxItems).toBe(LIMITS.maxArgs);
    expect(defs['text']!.maxLength).toBe(LIMITS.maxArgChars);
    expect(defs['lineage']!.maxItems).toBe(LIMITS.maxLineage);
    expect(defs['dnsQueryEvent']!.properties!['dns']!.properties!['answers']!.maxItems).toBe(LIMITS.maxArgs);
    expect(root.properties!['truncatedFields']!.maxItems).toBe(LIMITS.maxArgs);
    expect(schema.description).toContain(String(LIMITS.maxEventBytes));
  });

  it('pins the instance id, sha256 and timestamp formats', () => {
    expect(defs['instanceId']!.pattern).toBe('^i-[0-9a-f]{8,17}$');
    expect(defs['sha256']!.pattern).toBe('^[0-9a-f]{64}$');
    expect(defs['timestamp']!.format).toBe('date-time');
  });
});
