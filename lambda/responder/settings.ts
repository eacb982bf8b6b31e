/**
 * Deployment settings of the responder functions: which account and region they guard, the
 * response config, the isolation groups per VPC, where state and evidence go.
 */
import { FindingInputError } from '../domain/isolation/errors';
import type { IsolationTargets } from '../domain/isolation/plan';
import type { ResponderIdentity } from '../domain/isolation/refusals';
import { type ResponseConfig, resolveResponseConfig } from '../domain/isolation/response-config';

export interface ResponderSettings {
  readonly identity: ResponderIdentity;
  readonly partition: string;
  readonly config: ResponseConfig;
  readonly targets: IsolationTargets;
  /** Bus the `Picket Response Action` events go to. */
  readonly eventBusName: string;
  /** Seconds between the allow-all and the isolation group (the state machine's Wait). */
  readonly untrackSettleSeconds: number;
}

/** Environment variable names the construct sets (read once by the handler). */
export const ENV = {
  settings: 'PICKET_RESPONDER_SETTINGS',
} as const;

/**
 * The settings as the construct writes them: isolation groups as a list, because VPC ids are
 * CloudFormation tokens at synth time and cannot be object keys.
 */
export interface ResponderSettingsJson extends Omit<ResponderSettings, 'targets'> {
  readonly targets: Omit<IsolationTargets, 'groupsByVpc'> & {
    readonly isolationGroups: readonly { readonly vpcId: string; readonly allowAllGroupId: string; readonly isolationGroupId: string }[];
  };
}

/** The construct passes all settings as one JSON variable, validated here so a bad deploy fails loudly. */
export function settingsFromJson(text: string | undefined, where = ENV.settings): ResponderSettings {
  if (!text) throw new FindingInputError(where, 'is not set; the PicketResponder construct sets it');
  let raw: ResponderSettingsJson;
  try {
    raw = JSON.parse(text) as ResponderSettingsJson;
  } catch (error) {
    throw new FindingInputError(where, 'is not JSON', { cause: error });
  }
  const { isolationGroups, ...targets } = raw.targets;
  if (!Array.isArray(isolationGroups)) throw new FindingInputError(`${where}.targets.isolationGroups`, 'expected a list of { vpcId, allowAllGroupId, isolationGroupId }');
  return {
    ...raw,
    config: resolveResponseConfig(raw.config, `${where}.config`),
    targets: { ...targets, groupsByVpc: Object.fromEntries(isolationGroups.map((g) => [g.vpcId, { allowAllGroupId: g.allowAllGroupId, isolationGroupId: g.isolationGroupId }])) },
  };
}
