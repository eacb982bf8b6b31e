/**
 * The one gate for runtime events: every producer (agent, VPC-log parsers) and every consumer (detector
 * Lambda, `picket detect`, `picket watch`) validates with these functions, which run the normative schema
 * docs/runtime-event.schema.json (imported, not copied) plus the one rule a schema cannot say: the size limit.
 *
 * The schema is compiled once, at module load, with `allErrors: false` so a bad event costs one error and a
 * good one the minimum of work; the discriminator on `kind` sends each event straight to its kind's
 * subschema instead of trying all of them.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import schema from '../../../docs/runtime-event.schema.json';
import { errorMessage } from './error-message';
import { type EventBatchDetail, LIMITS, RUNTIME_EVENT_VERSION, type RuntimeEvent } from './runtime-event';

export type RuntimeEventValidation = { readonly ok: true; readonly event: RuntimeEvent } | { readonly ok: false; readonly reason: string };
export type BatchDetailValidation = { readonly ok: true; readonly detail: EventBatchDetail } | { readonly ok: false; readonly reason: string };

export interface ValidateOptions {
  /**
   * UTF-8 size of the event as it arrived, when the caller has it (a JSON line): saves re-serialising the
   * value to check LIMITS.maxEventBytes. Without it the value is serialised once, after the schema passed.
   */
  readonly serializedBytes?: number;
}

const SCHEMA_ID = schema.$id;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** RFC 3339 date-time with real calendar ranges (the schema's pattern only checks the shape). */
export function isRfc3339DateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const maxDay = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!;
  if (day > maxDay) return false;
  // Second 60 is a leap second, which RFC 3339 allows.
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return false;
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return false;
  return true;
}

function compile(): { event: ValidateFunction; batch: ValidateFunction } {
  const ajv = new Ajv2020({
    discriminator: true,
    allErrors: false,
    strict: true,
    // Kind subschemas require fields whose shape the top level defines once (process, lineage).
    strictRequired: false,
    // `data` on errors lets the reason quote what was found; it costs nothing on the valid path.
    verbose: true,
  });
  ajv.addFormat('date-time', { type: 'string', validate: isRfc3339DateTime });
  ajv.addSchema(schema);
  const event = ajv.getSchema(SCHEMA_ID);
  const batch = ajv.getSchema(`${SCHEMA_ID}#/$defs/eventBatchDetail`);
  if (event === undefined || batch === undefined) throw new Error(`docs/runtime-event.schema.json: could not compile ${SCHEMA_ID}`);
  return { event, batch };
}

const compiled = compile();

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `/process/argv/3` (JSON Pointer, as ajv reports it) to `$.process.argv[3]`. */
export function jsonPointerToPath(pointer: string): string {
  if (pointer === '') return '$';
  let path = '$';
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^(0|[1-9]\d*)$/.test(segment)) path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

/** A short, log-safe rendering of a found value (attacker-controlled: quoted, escaped, cut). */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return value.length > 48 ? `${JSON.stringify(value.slice(0, 48))}… (${value.length} characters)` : JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function list(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

/** One ajv error as `<path>: expected …, got …`. */
export function describeSchemaError(error: ErrorObject): string {
  const path = jsonPointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const got = `got ${describeValue(error.data)}`;
  switch (error.keyword) {
    case 'required':
      return `${jsonPointerToPath(`${error.instancePath}/${String(params['missingProperty']).replace(/~/g, '~0').replace(/\//g, '~1')}`)}: required field is missing`;
    case 'type':
      return `${path}: expected ${String(params['type'])}, ${got}`;
    case 'const':
      return error.instancePath === '/v'
        ? `${path}: expected ${JSON.stringify(params['allowedValue'])} (this consumer understands runtime-event contract v${RUNTIME_EVENT_VERSION}), ${got}`
        : `${path}: expected ${JSON.stringify(params['allowedValue'])}, ${got}`;
    case 'enum':
      return `${path}: expected one of ${list(params['allowedValues'] as unknown[])}, ${got}`;
    case 'pattern':
      return `${path}: expected to match ${String(params['pattern'])}, ${got}`;
    case 'format':
      return `${path}: expected a valid ${String(params['format'])} (RFC 3339, e.g. 2026-01-31T12:00:00.000Z), ${got}`;
    case 'maxLength':
      return `${path}: expected at most ${String(params['limit'])} characters, ${got}`;
    case 'minLength':
      return `${path}: expected at least ${String(params['limit'])} character(s), ${got}`;
    case 'maxItems':
      return `${path}: expected at most ${String(params['limit'])} entries, ${got}`;
    case 'minimum':
    case 'maximum':
      return `${path}: expected ${String(params['comparison'])} ${String(params['limit'])}, ${got}`;
    case 'discriminator':
      return params['error'] === 'tag'
        ? `${path}.${String(params['tag'] ?? 'kind')}: expected a string (the event kind)`
        : `${path}.kind: expected a known event kind, got ${describeValue(params['tagValue'])}`;
    default:
      return `${path}: ${error.message ?? `fails ${error.keyword}`}`;
  }
}

function firstSchemaError(validate: ValidateFunction): string {
  const error = validate.errors?.[0];
  return error === undefined ? '$: does not match the schema' : describeSchemaError(error);
}

function utf8Bytes(text: string): number {
  // Every UTF-16 unit becomes at most 3 UTF-8 bytes: skip the exact count when that bound already fits.
  return text.length * 3 <= LIMITS.maxEventBytes ? text.length : Buffer.byteLength(text, 'utf8');
}

function sizeProblem(bytes: number): string | undefined {
  return bytes > LIMITS.maxEventBytes
    ? `$: event is ${bytes} bytes serialised, expected at most ${LIMITS.maxEventBytes} (LIMITS.maxEventBytes; producers must truncate, see truncate.ts)`
    : undefined;
}

/**
 * Validate one parsed runtime event against the v1 schema and LIMITS.maxEventBytes. Never throws.
 * On success `event` is the same object, typed (not a copy). Unknown properties are kept (forward
 * compatibility, see docs/events.md) and are for consumers to ignore.
 */
export function validateRuntimeEvent(value: unknown, options?: ValidateOptions): RuntimeEventValidation {
  try {
    if (!compiled.event(value)) return { ok: false, reason: firstSchemaError(compiled.event) };
    const bytes = options?.serializedBytes ?? Buffer.byteLength(JSON.stringify(value), 'utf8');
    const problem = sizeProblem(bytes);
    if (problem !== undefined) return { ok: false, reason: problem };
    return { ok: true, event: value as RuntimeEvent };
  } catch (error) {
    // Only exotic in-memory values get here (cycles or BigInt in unknown properties): JSON never does.
    return { ok: false, reason: `$: not serialisable as JSON (${errorMessage(error)})` };
  }
}

/**
 * Parse and validate one JSON line. The size limit is checked on the line itself, before parsing, so an
 * oversized line costs no JSON.parse. Never throws.
 */
export function parseRuntimeEvent(line: string): RuntimeEventValidation {
  const bytes = utf8Bytes(line);
  const problem = sizeProblem(bytes);
  if (problem !== undefined) return { ok: false, reason: problem };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `$: not JSON (${errorMessage(error)})` };
  }
  return validateRuntimeEvent(value, { serializedBytes: bytes });
}

/** Validate the EventBridge `detail` of an agent batch (the envelope, not the events inside). Never throws. */
export function validateEventBatchDetail(value: unknown): BatchDetailValidation {
  if (!compiled.batch(value)) return { ok: false, reason: firstSchemaError(compiled.batch) };
  const detail = value as EventBatchDetail;
  if (detail.lastSeq < detail.firstSeq) {
    return { ok: false, reason: `$.lastSeq: expected >= firstSeq (${detail.firstSeq}), got ${detail.lastSeq}` };
  }
  return { ok: true, detail };
}
