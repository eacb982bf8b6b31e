import { ExpiringLru } from '../../lambda/domain/detection/expiring-lru';
import { LruMap } from '../../lambda/domain/detection/lru';

describe('LruMap', () => {
  it('evicts the least recently read or written entry and reports it', () => {
    const evicted: string[] = [];
    const lru = new LruMap<string, number>(3, (k) => evicted.push(k));
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3);
    lru.get('a');
    lru.set('d', 4);
    expect(evicted).toEqual(['b']);
    lru.set('c', 30); // rewriting refreshes too
    lru.set('e', 5);
    expect(evicted).toEqual(['b', 'a']);
    expect([...lru.values()]).toEqual([4, 30, 5]);
    expect(lru.peek('d')).toBe(4);
    expect(lru.delete('d')).toBe(true);
    expect([...lru.values()]).toEqual([30, 5]);
  });
});

describe('ExpiringLru', () => {
  it('keeps integer-looking and other keys apart and lists entries least recently used first', () => {
    const ns = new ExpiringLru(3);
    ns.put('7', 'seven', 10);
    ns.put('07', 'zero-seven', 10);
    ns.put('x', 'ex', 10);
    ns.touch(ns.lookup('7')!);
    ns.put('8', 'eight', 10);
    expect([...ns.entries()].map((e) => e.key)).toEqual(['x', '7', '8']);
    expect(ns.lookup('07')).toBeUndefined();
    ns.remove(ns.lookup('x')!);
    expect(ns.size).toBe(2);
  });
});
