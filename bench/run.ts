/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), prints one
 * `name, value, unit, baseline, ratio` line per figure and writes them all to .bench/results.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchResult, Reporter } from './harness';

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  const results: BenchResult[] = [];
  const reporter: Reporter = {
    record(r) {
      results.push(r);
      const ratio = r.ratio === null ? '' : r.ratio.toFixed(2);
      const verdict = r.target ? ` [target ${r.target}: ${r.met ? 'met' : 'NOT met'}]` : '';
      console.log([r.name, r.value.toPrecision(4), r.unit, r.baseline, ratio].map(csvCell).join(', ') + verdict);
    },
  };
  console.log('name, value, unit, baseline, ratio');
  let failed = 0;
  for (const file of files) {
    try {
      const mod = await import(pathToFileURL(join(__dirname, file)).href);
      const run = (mod.default?.default ?? mod.default) as (r: Reporter) => Promise<void>;
      await run(reporter);
    } catch (error) {
      failed++;
      console.error(`bench ${file} failed:`, error);
    }
  }
  mkdirSync('.bench', { recursive: true });
  writeFileSync(join('.bench', 'results.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
  console.log(`wrote .bench/results.json (${results.length} figures from ${files.length} files)`);
  if (failed > 0) process.exitCode = 1;
}

void main();
