/**
 * Reads the Picket configuration the way `cdk synth` does: the file named by context `config` (or
 * `picket.config.json` when present), merged with context overrides, validated once. For entry points
 * (bin/app.ts, bin/start.ts); constructs receive the resulting PicketConfig as props.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { type PicketConfig, loadConfig } from './config';
import { ConfigError } from './config-error';
import { CONFIG_PATH_CONTEXT_KEY, DEFAULT_CONFIG_FILE, describeSources, mergeConfigSources, parseConfigText } from './config-sources';

export interface ReadPicketConfigOptions {
  /** Directory relative paths are resolved against (the repository root for the CLI). */
  readonly cwd: string;
  /**
   * All context of the app (`app.node.getAllContext()`): `config` picks the file, `picket` / `picket.*` override keys.
   * @default {}
   */
  readonly context?: Readonly<Record<string, unknown>>;
}

export interface LoadedPicketConfig {
  readonly config: PicketConfig;
  /** The file read, absolute; undefined when none existed and the defaults were used. */
  readonly file?: string;
  /** Human description of the sources, e.g. `picket.config.json + context picket.response.mode`. */
  readonly source: string;
}

/** @throws ConfigError naming the file and every invalid key */
export function readPicketConfig(options: ReadPicketConfigOptions): LoadedPicketConfig {
  const context = options.context ?? {};
  const chosen = context[CONFIG_PATH_CONTEXT_KEY];
  if (chosen !== undefined && (typeof chosen !== 'string' || chosen.length === 0)) {
    throw new ConfigError('context', [{ path: `context "${CONFIG_PATH_CONTEXT_KEY}"`, value: chosen, expected: 'a path to a JSON config file', fix: `pass -c ${CONFIG_PATH_CONTEXT_KEY}=path/to/picket.config.json` }]);
  }
  const name = (chosen as string | undefined) ?? DEFAULT_CONFIG_FILE;
  const file = isAbsolute(name) ? name : resolve(options.cwd, name);
  let content: unknown;
  let used: string | undefined;
  if (existsSync(file)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(name, [{ path: '(file)', value: name, expected: 'a readable file', fix: `check the permissions of ${file}` }], { cause: error });
    }
    content = parseConfigText(text, name);
    used = file;
  } else if (chosen !== undefined) {
    throw new ConfigError(name, [{ path: '(file)', value: name, expected: `an existing JSON file (looked for ${file})`, fix: `create it (see docs/config.md) or fix the path given with -c ${CONFIG_PATH_CONTEXT_KEY}=…` }]);
  }
  const source = describeSources(used ? name : undefined, context);
  const config = loadConfig(mergeConfigSources(content, context), source);
  return { config, source, ...(used ? { file: used } : {}) };
}
