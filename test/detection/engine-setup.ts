/** A DetectionEngine wired for tests: builtin intel rules, custom lists from strings, fixed identity. */
import { DetectionEngine, type DetectionEngineOptions } from '../../lambda/domain/detection/engine';
import { INTEL_RULES } from '../../lambda/domain/detection/rules/intel/index';
import { type IntelSource, loadIntelFromStrings } from '../../lambda/domain/intel/loader';
import { ACCOUNT } from './engine-events';

export function intelFrom(sources: IntelSource[]) {
  const { intel, errors } = loadIntelFromStrings(sources);
  if (errors.length > 0) throw new Error(`test list errors: ${JSON.stringify(errors)}`);
  return intel;
}

export function testEngine(opts: Partial<DetectionEngineOptions> = {}): DetectionEngine {
  return new DetectionEngine({
    rules: INTEL_RULES,
    accountId: ACCOUNT,
    region: 'eu-west-1',
    detectorId: 'picket-test',
    ...opts,
  });
}
