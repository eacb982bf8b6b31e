/** Is one process a descendant of another? From the pid → parent table the context recorder keeps. */
import type { InstanceState } from '../../../instance-state';
import { NS_PROC, type ProcMemo } from './state-keys';

const MAX_STEPS = 16;

export function isDescendantOf(state: InstanceState, pid: number, ancestorPid: number, now: number): boolean {
  let current = pid;
  for (let i = 0; i < MAX_STEPS; i++) {
    const memo = state.recall<ProcMemo>(NS_PROC, current, now);
    if (!memo) return false;
    if (memo.ppid === ancestorPid) return true;
    if (memo.ppid <= 1 || memo.ppid === current) return false;
    current = memo.ppid;
  }
  return false;
}
