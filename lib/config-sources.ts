/**
 * Where configuration comes from and how the sources combine, as pure functions (bin/app.ts does the
 * file I/O). Precedence, lowest first:
 *   1. DEFAULT_CONFIG (filled in by loadConfig for anything absent)
 *   2. the config file: `picket.config.json`, or the file named by `-c config=PATH`
 *   3. context key `picket` (an object in cdk.json, or a JSON string: `-c picket='{"response":{"mode":"auto"}}'`)
 *   4. context keys `picket.<dotted.path>` for one value: `-c picket.response.mode=auto`
 * Objects merge key by key; arrays and scalars replace.
 */
import { ConfigError } from './config-error';
import { isPlainObject, type JsonObject } from './config-reader';

/** Context key naming the config file. */
export const CONFIG_PATH_CONTEXT_KEY = 'config';
/** Config file used when no `-c config=PATH` is given (relative to the working directory). */
export const DEFAULT_CONFIG_FILE = 'picket.config.json';
/** Context key holding a whole (partial) config object. */
export const CONFIG_CONTEXT_KEY = 'picket';
/** Prefix of context keys that set one config value. */
export const CONFIG_OVERRIDE_PREFIX = 'picket.';

/** Parses config file text; a syntax error names the file, line and column. */
export function parseConfigText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    let where = '';
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset).split('\n');
      where = ` at line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
    }
    throw new ConfigError(file, [{ path: '(file)', value: text.length > 0 ? `${text.length} characters of text` : '', expected: `valid JSON (${message}${where})`, fix: `fix the JSON syntax in ${file}${where}; comments and trailing commas are not allowed` }], { cause: error });
  }
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = key in out ? deepMerge(out[key], value) : value;
  return out;
}

/** A context value given on the command line is a string: JSON when it parses as JSON, else the plain string. */
function coerceContextValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function setPath(target: JsonObject, dotted: string, value: unknown): JsonObject {
  const keys = dotted.split('.');
  let node: JsonObject = {};
  const root = node;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) node[key] = value;
    else node = node[key] = {} as JsonObject;
  });
  return deepMerge(target, root) as JsonObject;
}

/**
 * Merges the config file with context overrides.
 * @param file parsed config file content (undefined when there is none)
 * @param context every context value of the app (`app.node.getAllContext()`)
 * @returns the raw merged configuration, to be validated by loadConfig
 */
export function mergeConfigSources(file: unknown, context: Readonly<Record<string, unknown>>): unknown {
  let merged: unknown = file ?? {};
  const whole = coerceContextValue(context[CONFIG_CONTEXT_KEY]);
  if (whole !== undefined) {
    if (!isPlainObject(whole)) {
      throw new ConfigError('context', [{ path: `context "${CONFIG_CONTEXT_KEY}"`, value: context[CONFIG_CONTEXT_KEY], expected: 'a JSON object of Picket config keys', fix: `pass -c ${CONFIG_CONTEXT_KEY}='{"response":{"mode":"dry-run"}}' or use -c ${CONFIG_OVERRIDE_PREFIX}response.mode=dry-run` }]);
    }
    merged = deepMerge(merged, whole);
  }
  const overrides = Object.keys(context)
    .filter((key) => key.startsWith(CONFIG_OVERRIDE_PREFIX) && key.length > CONFIG_OVERRIDE_PREFIX.length)
    .sort();
  for (const key of overrides) {
    merged = setPath(isPlainObject(merged) ? merged : {}, key.slice(CONFIG_OVERRIDE_PREFIX.length), coerceContextValue(context[key]));
  }
  return merged;
}

/** A short description of the sources used, for error messages. */
export function describeSources(file: string | undefined, context: Readonly<Record<string, unknown>>): string {
  const parts = [file ?? 'built-in defaults'];
  if (context[CONFIG_CONTEXT_KEY] !== undefined) parts.push(`context "${CONFIG_CONTEXT_KEY}"`);
  const overrides = Object.keys(context).filter((k) => k.startsWith(CONFIG_OVERRIDE_PREFIX));
  if (overrides.length > 0) parts.push(`context ${overrides.join(', ')}`);
  return parts.join(' + ');
}
