import { baseName } from '../../lambda/domain/detection/knowledge/names';
import { suspiciousTool } from '../../lambda/domain/detection/rules/behaviour/suspicious-tool';
import { MemoryInstanceState } from '../../lambda/domain/detection/memory-instance-state';
import { EMPTY_INTEL } from '../../lambda/domain/intel/intel-index';
import { execEvent } from './engine-events';

describe('baseName', () => {
  it.each([
    ['/usr/bin/Python3.11', 'python3.11'],
    ['/tmp/x (deleted)', 'x'],
    ['/tmp/.hidden/kworker (deleted)', 'kworker'],
    ['curl', 'curl'],
    ['./run.sh', 'run.sh'],
    ['/usr/bin/', ''],
    ['/', ''],
    [' (deleted)', ''],
    ['/memfd:payload (deleted)', 'memfd:payload'],
    ['', ''],
    [undefined, ''],
  ])('%j → %j', (path, name) => {
    expect(baseName(path)).toBe(name);
  });
});

describe('suspicious tools run as scripts', () => {
  const ctx = { state: new MemoryInstanceState('i-0123456789abcdef0'), intel: EMPTY_INTEL, now: 0 };
  const toolOf = (exe: string) => (suspiciousTool.evaluate(execEvent(exe), ctx)[0]?.context as { toolName?: string } | undefined)?.toolName;

  it('matches a listed tool by its name without a script extension', () => {
    // chisel is listed without extension; chisel.sh / chisel.py are the same tool.
    expect(toolOf('/tmp/chisel')).toBe('chisel');
    expect(toolOf('/tmp/chisel.sh')).toBe('chisel.sh');
    expect(toolOf('/dev/shm/chisel.py')).toBe('chisel.py');
  });

  it('does not strip other extensions or match a bare extension', () => {
    expect(toolOf('/tmp/chisel.js')).toBeUndefined();
    expect(toolOf('/tmp/chiselsh')).toBeUndefined();
    expect(toolOf('/tmp/.sh')).toBeUndefined();
    expect(toolOf('/usr/bin/deploy.sh')).toBeUndefined();
  });
});

