import { MemoryInstanceState } from '../../lambda/domain/detection/memory-instance-state';

describe('MemoryInstanceState', () => {
  it('remembers with expiry and forgets', () => {
    const s = new MemoryInstanceState('i-1');
    s.remember('downloads', '/tmp/x', { url: 'http://192.0.2.1/x' }, 1000, 0);
    expect(s.recall('downloads', '/tmp/x', 999)).toEqual({ url: 'http://192.0.2.1/x' });
    expect(s.recall('downloads', '/tmp/x', 1000)).toBeUndefined();
    s.remember('downloads', '/tmp/y', 1, 1000, 0);
    s.forget('downloads', '/tmp/y');
    expect(s.recall('downloads', '/tmp/y', 1)).toBeUndefined();
  });

  it('answers firstSeen true once per key, independently per namespace', () => {
    const s = new MemoryInstanceState('i-1');
    expect(s.firstSeen('exe', '/usr/bin/a', 0)).toBe(true);
    expect(s.firstSeen('exe', '/usr/bin/a', 10 ** 12)).toBe(false);
    expect(s.firstSeen('lib', '/usr/bin/a', 0)).toBe(true);
  });

  it('is learning for the learning period after the first event', () => {
    const s = new MemoryInstanceState('i-1', { learningPeriodMs: 1000 });
    expect(s.isLearning(5000)).toBe(true);
    expect(s.isLearning(5999)).toBe(true);
    expect(s.isLearning(6000)).toBe(false);
  });

  it('bounds each namespace, evicting the least recently used, and bounds the namespaces', () => {
    const s = new MemoryInstanceState('i-1', { maxEntriesPerNamespace: 3, maxNamespaces: 2 });
    for (const k of ['a', 'b', 'c']) s.remember('n', k, k, 10_000, 0);
    s.recall('n', 'a', 1); // a becomes most recent
    s.remember('n', 'd', 'd', 10_000, 2);
    expect(['a', 'b', 'c', 'd'].map((k) => s.recall('n', k, 3) !== undefined)).toEqual([true, false, true, true]);
    // Least recently used first: the recalls above touched a, c, then d.
    expect(s.toJSON().namespaces.n?.map((e) => e[0])).toEqual(['a', 'c', 'd']);
    for (const k of ['e', 'f', 'g', 'h']) s.remember('n', k, k, 10_000, 4);
    expect(s.toJSON().namespaces.n?.map((e) => [e[0], e[1]])).toEqual([['f', 'f'], ['g', 'g'], ['h', 'h']]);
    expect(s.recall('n', 'e', 5)).toBeUndefined();
    s.remember('m', 'x', 1, 10_000, 0);
    s.remember('o', 'x', 1, 10_000, 0); // third namespace: the least recently used (n) goes
    expect(s.recall('n', 'a', 3)).toBeUndefined();
    expect(s.size()).toBe(2);
    for (let i = 0; i < 10_000; i++) s.firstSeen('big', `k${i}`, i);
    expect(s.size()).toBeLessThanOrEqual(2 * 3);
  });

  it('round-trips through JSON with baselines, expiries and the learning clock', () => {
    const s = new MemoryInstanceState('i-1', { learningPeriodMs: 100 });
    s.remember('n', 'k', { v: [1, 2] }, 50, 10);
    s.firstSeen('exe', '/bin/x', 10);
    const copy = MemoryInstanceState.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(copy.instanceId).toBe('i-1');
    expect(copy.recall('n', 'k', 20)).toEqual({ v: [1, 2] });
    expect(copy.recall('n', 'k', 60)).toBeUndefined();
    expect(copy.firstSeen('exe', '/bin/x', 10 ** 12)).toBe(false);
    expect(copy.isLearning(109)).toBe(true);
    expect(copy.isLearning(110)).toBe(false);
  });

  it('rejects foreign JSON with a message naming the field', () => {
    expect(() => MemoryInstanceState.fromJSON({ v: 2 })).toThrow(/unsupported version 2/);
    expect(() => MemoryInstanceState.fromJSON({ v: 1, instanceId: 'i', namespaces: { n: [[true]] } })).toThrow(/namespace "n" entry 0/);
  });

  it('takes pids as number keys: a number and its decimal string are one key, and number keys survive JSON', () => {
    const s = new MemoryInstanceState('i-1');
    s.remember('proc', 4242, { exe: '/usr/bin/a' }, 1000, 0);
    expect(s.recall('proc', '4242', 1)).toEqual({ exe: '/usr/bin/a' });
    s.remember('proc', '4242', { exe: '/usr/bin/b' }, 1000, 0);
    expect(s.recall('proc', 4242, 1)).toEqual({ exe: '/usr/bin/b' });
    expect(s.size()).toBe(1);
    // Numbers that are not canonical 9-digit-or-shorter integers are keyed by their string form.
    for (const [n, text] of [[1.5, '1.5'], [-3, '-3'], [1e21, '1e+21'], [1234567890, '1234567890']] as const) {
      s.remember('odd', n, text, 1000, 0);
      expect(s.recall('odd', text, 1)).toBe(text);
    }
    // '042' is not the decimal form of 42: two different keys.
    s.remember('proc', '042', 'leading zero', 1000, 0);
    expect(s.recall('proc', 42, 1)).toBeUndefined();
    const copy = MemoryInstanceState.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(copy.recall('proc', 4242, 1)).toEqual({ exe: '/usr/bin/b' });
    expect(copy.recall('proc', '042', 1)).toBe('leading zero');
    expect(copy.recall('odd', 1.5, 1)).toBe('1.5');
  });
});
