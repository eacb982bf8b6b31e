/**
 * How a Sigma rule appears in findings: `Custom:Runtime/<RuleName>` and a severity from its level.
 *
 * RuleName is the title in PascalCase: accents folded to ASCII, every run of characters other than
 * A-Z a-z 0-9 is a word break, each word's first letter is upper-cased and the rest kept as written
 * ("Linux Reverse Shell Indicator" → LinuxReverseShellIndicator, "Suspicious C2 Activities" →
 * SuspiciousC2Activities, "Potential Xterm Reverse Shell" → PotentialXtermReverseShell). It is cut to
 * 128 characters. The loader appends `.<first 8 hex of the id>` when two loaded rules share a name.
 * The name depends on the title only, so it is stable across loads and machines.
 */

export const SIGMA_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type SigmaLevel = (typeof SIGMA_LEVELS)[number];

/** GuardDuty severity for each Sigma level (Low 1-3.9, Medium 4-6.9, High 7-8.9, Critical 9-10). */
export const LEVEL_SEVERITY: Readonly<Record<SigmaLevel, number>> = {
  informational: 1,
  low: 2,
  medium: 5,
  high: 8,
  critical: 9.5,
};

const MAX_NAME = 128;

export function ruleNameFromTitle(title: string): string {
  const ascii = title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const words = ascii.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return name.slice(0, MAX_NAME);
}

/** The name with the id suffix used to tell apart two rules whose titles give the same name. */
export function disambiguatedName(name: string, sigmaId: string): string {
  const suffix = `.${sigmaId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8).toLowerCase()}`;
  return name.slice(0, MAX_NAME - suffix.length) + suffix;
}
