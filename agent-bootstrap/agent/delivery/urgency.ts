/**
 * Events worth a PutEvents entry of their own right away instead of waiting up to the flush interval: the
 * ones a responder wants isolated in seconds. Cost stays bounded because the batcher rate-limits immediate
 * flushes (one per `urgentMinGapMs`).
 */
import type { RuntimeEvent } from '../../../lambda/domain/events/runtime-event';

export function isUrgentEvent(event: RuntimeEvent): boolean {
  switch (event.kind) {
    case 'process_exec': {
      // A shell or interpreter whose stdio is a network socket: the reverse-shell signature.
      const stdio = event.process.stdio;
      return stdio?.stdin?.type === 'socket' || stdio?.stdout?.type === 'socket' || stdio?.stderr?.type === 'socket';
    }
    case 'ptrace':
    case 'process_vm_write':
    case 'module_load':
      return true;
    default:
      return false;
  }
}
