/**
 * The agent bundle: one tar.gz with everything the instance needs —
 *
 *   agent/picket-agent.js       the agent, bundled by esbuild into one file (AWS SDK included)
 *   rules/*.rules, af_unix.conf audit rules (x86_64 and aarch64) and the auditd plugin
 *   systemd/picket-agent.service
 *   scripts/*.sh                install, uninstall, limits, host rules
 *   manifest.json               SHA-256 of every file
 *
 * Built locally (no Docker) through CDK's ILocalBundling, and byte-for-byte reproducible (fixed order,
 * mtime 0, uid/gid 0, gzip without a timestamp): the same sources give the same SHA-256, so a deploy that
 * changes nothing on the agent does not make every instance reinstall it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BundlingOptions, ILocalBundling } from 'aws-cdk-lib';

/** File name of the bundle in the bundling output (uploaded as-is: BundlingOutput.ARCHIVED). */
export const AGENT_BUNDLE_FILE = 'picket-agent.tar.gz';
/** Oldest Node.js the bundle runs on (Debian 12 and Amazon Linux 2023 ship 18). */
export const AGENT_NODE_TARGET = 'node18';

export class AgentBundleError extends Error {
  override readonly name = 'AgentBundleError';
}

/** One file of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, '/'-separated, no leading '/'; at most 100 bytes (plain ustar names). */
  readonly path: string;
  /** Permission bits, e.g. 0o755. */
  readonly mode: number;
  readonly content: Buffer;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function tarHeader(path: string, mode: number, size: number, type: '0' | '5'): Buffer {
  if (Buffer.byteLength(path) > 100) throw new AgentBundleError(`tar path "${path}" is longer than 100 bytes`);
  const header = Buffer.alloc(512);
  header.write(path, 0, 100, 'utf8');
  header.write(octal(mode, 8), 100, 8, 'ascii');
  header.write(octal(0, 8), 108, 8, 'ascii'); // uid
  header.write(octal(0, 8), 116, 8, 'ascii'); // gid
  header.write(octal(size, 12), 124, 12, 'ascii');
  header.write(octal(0, 12), 136, 12, 'ascii'); // mtime: 0, reproducible
  header.write('        ', 148, 8, 'ascii'); // checksum placeholder (spaces) while summing
  header.write(type, 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write('root', 265, 32, 'ascii');
  header.write('root', 297, 32, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

/** A reproducible ustar archive, gzip-compressed; directories are added for every parent path. */
export function writeTarGz(entries: readonly TarEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const dirs = new Set<string>();
  for (const entry of sorted) {
    const parts = entry.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
  }
  const blocks: Buffer[] = [];
  for (const dir of [...dirs].sort()) blocks.push(tarHeader(dir, 0o755, 0, '5'));
  for (const entry of sorted) {
    blocks.push(tarHeader(entry.path, entry.mode, entry.content.length, '0'), entry.content);
    const pad = (512 - (entry.content.length % 512)) % 512;
    if (pad > 0) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

export function sha256Hex(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Compiles agent/main.ts into one CommonJS file with esbuild's JS API (no Docker, no shell). */
export function bundleAgentSource(agentBootstrapDir: string): Buffer {
  const entry = join(agentBootstrapDir, 'agent', 'main.ts');
  if (!existsSync(entry)) {
    throw new AgentBundleError(`cannot bundle the agent: ${entry} does not exist. Build it first, or synth with bundling skipped (context aws:cdk:bundling-stacks = []) for template-only work.`);
  }
  let esbuild: typeof import('esbuild');
  try {
    esbuild = require('esbuild') as typeof import('esbuild');
  } catch (error) {
    throw new AgentBundleError('cannot bundle the agent: the esbuild package is not installed (npm ci installs it as a devDependency)', { cause: error });
  }
  const result = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: AGENT_NODE_TARGET,
    format: 'cjs',
    mainFields: ['module', 'main'],
    minify: true,
    keepNames: true,
    legalComments: 'eof',
    write: false,
    outfile: 'picket-agent.js',
    logLevel: 'silent',
  });
  const out = result.outputFiles.find((f) => f.path.endsWith('picket-agent.js'));
  if (!out) throw new AgentBundleError(`esbuild produced no picket-agent.js for ${entry}`);
  return Buffer.from(out.contents);
}

function filesOf(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/** Every entry of the bundle, the agent compiled from source. */
export function agentBundleEntries(agentBootstrapDir: string, agentJs: Buffer = bundleAgentSource(agentBootstrapDir)): TarEntry[] {
  const entries: TarEntry[] = [{ path: 'agent/picket-agent.js', mode: 0o644, content: agentJs }];
  const add = (file: string, mode: number): void => {
    entries.push({ path: relative(agentBootstrapDir, file).split('\\').join('/'), mode, content: readFileSync(file) });
  };
  for (const file of filesOf(join(agentBootstrapDir, 'rules'), /\.(rules|conf)$/)) add(file, 0o644);
  for (const file of filesOf(join(agentBootstrapDir, 'systemd'), /\.service$/)) add(file, 0o644);
  for (const file of filesOf(join(agentBootstrapDir, 'scripts'), /\.sh$/)) add(file, file.endsWith('common.sh') ? 0o644 : 0o755);
  for (const required of ['rules/picket.rules', 'rules/picket-aarch64.rules', 'systemd/picket-agent.service', 'scripts/install.sh', 'scripts/uninstall.sh']) {
    if (!entries.some((e) => e.path === required)) throw new AgentBundleError(`agent bundle is missing ${required} (under ${agentBootstrapDir})`);
  }
  const manifest = Object.fromEntries(entries.map((e) => [e.path, sha256Hex(e.content)]));
  entries.push({ path: 'manifest.json', mode: 0o644, content: Buffer.from(`${JSON.stringify({ files: manifest }, null, 2)}\n`) });
  return entries;
}

/** Writes `<outputDir>/picket-agent.tar.gz` and returns its SHA-256. */
export function buildAgentBundle(agentBootstrapDir: string, outputDir: string): string {
  const archive = writeTarGz(agentBundleEntries(agentBootstrapDir));
  writeFileSync(join(outputDir, AGENT_BUNDLE_FILE), archive);
  return sha256Hex(archive);
}

/** CDK local bundling of the agent bundle (what NodejsFunction does for a Lambda, without Docker). */
export class AgentLocalBundling implements ILocalBundling {
  constructor(private readonly agentBootstrapDir: string) {}

  tryBundle(outputDir: string, _options: BundlingOptions): boolean {
    buildAgentBundle(this.agentBootstrapDir, outputDir);
    return true;
  }
}
