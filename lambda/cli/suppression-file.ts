/** Reads `--suppress FILE`: a JSON list of suppression rules, or `{central, accounts}`. */
import { readFileSync } from 'node:fs';
import { type SuppressionConfig, SuppressionRuleSet } from '../domain/findings/suppression';
import { InputError } from './usage-error';

export function loadSuppressionFile(path: string): SuppressionRuleSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`${path}: cannot read suppression rules (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: suppression rules are not valid JSON (${(error as Error).message})`, { cause: error });
  }
  try {
    return new SuppressionRuleSet(json as SuppressionConfig);
  } catch (error) {
    throw new InputError(`${path}: ${(error as Error).message}`, { cause: error });
  }
}
