/**
 * LruMap against a plain model (a list in use order): the skipped move for the most recently used key must
 * never change which entry is evicted, whatever mix of get, peek, set and delete came before.
 */
import fc from 'fast-check';
import { LruMap } from '../../lambda/domain/detection/lru';

type Op = { op: 'get' | 'peek' | 'delete'; key: number } | { op: 'set'; key: number; value: number };

class ModelLru {
  /** Keys in use order, least recently used first. */
  private readonly order: number[] = [];
  private readonly values = new Map<number, number>();

  constructor(private readonly capacity: number) {}

  get(key: number): number | undefined {
    const v = this.values.get(key);
    if (v !== undefined) this.touch(key);
    return v;
  }

  peek(key: number): number | undefined {
    return this.values.get(key);
  }

  set(key: number, value: number): void {
    this.values.set(key, value);
    this.touch(key);
    if (this.order.length > this.capacity) this.values.delete(this.order.shift()!);
  }

  delete(key: number): boolean {
    const i = this.order.indexOf(key);
    if (i >= 0) this.order.splice(i, 1);
    return this.values.delete(key);
  }

  contents(): [number, number][] {
    return this.order.map((k) => [k, this.values.get(k)!]);
  }

  private touch(key: number): void {
    const i = this.order.indexOf(key);
    if (i >= 0) this.order.splice(i, 1);
    this.order.push(key);
  }
}

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('get' as const, 'peek' as const, 'delete' as const), key: fc.nat({ max: 6 }) }),
  fc.record({ op: fc.constant('set' as const), key: fc.nat({ max: 6 }), value: fc.nat() }),
);

describe('LruMap', () => {
  it('evicts the least recently used entry after repeated use of the newest', () => {
    const lru = new LruMap<number, string>(2);
    lru.set(1, 'a');
    lru.set(2, 'b');
    lru.get(2);
    lru.get(2);
    lru.get(1);
    lru.set(3, 'c');
    expect([...lru.values()]).toEqual(['a', 'c']);
    lru.delete(3);
    lru.get(1);
    lru.set(4, 'd');
    lru.set(5, 'e');
    expect([...lru.values()]).toEqual(['d', 'e']);
  });

  it('keeps the same entries in the same order as a plain use-order list (fast-check)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 4 }), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
        const lru = new LruMap<number, number>(capacity);
        const model = new ModelLru(capacity);
        for (const o of ops) {
          if (o.op === 'set') {
            lru.set(o.key, o.value);
            model.set(o.key, o.value);
          } else {
            expect(lru[o.op](o.key)).toEqual(model[o.op](o.key));
          }
        }
        expect(lru.size).toBe(model.contents().length);
        expect([...lru.values()]).toEqual(model.contents().map(([, v]) => v));
      }),
      { numRuns: 500 },
    );
  });
});
