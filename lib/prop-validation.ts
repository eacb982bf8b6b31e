/**
 * Construct props are validated first, with errors that name the prop, the value, what was expected and
 * the fix (aws-cdk design guidelines). Shared by every Picket construct.
 */
import { describeValue } from './config-error';

export class PropError extends Error {
  override readonly name = 'PropError';

  constructor(
    readonly prop: string,
    readonly value: unknown,
    readonly expected: string,
    readonly fix: string,
  ) {
    super(`${prop}: got ${describeValue(value)}; expected ${expected}. Fix: ${fix}`);
  }
}

/** Throws a PropError unless `ok`. */
export function requireProp(ok: boolean, prop: string, value: unknown, expected: string, fix: string): void {
  if (!ok) throw new PropError(prop, value, expected, fix);
}
