/**
 * `picket findings --org` and `picket coverage --org`: the same commands read the security account's
 * aggregated tables instead of this account's when `--org` is given.
 */
import type { Command } from '../command';
import { createOrgCliClients, ORG_COVERAGE_HELP, ORG_FINDINGS_HELP, parseOrgCoverageArgs, parseOrgFindingsArgs, runOrgCoverageCommand, runOrgFindingsCommand } from '../org';

function withOrgVariant(base: Command, orgHelp: string, runOrg: Command['run']): Command {
  return {
    name: base.name,
    summary: `${base.summary} (--org: the whole organization)`,
    help: `${base.help}\n\n${orgHelp}`,
    run: (args, io) => (args.includes('--org') ? runOrg(args, io) : base.run(args, io)),
  };
}

export function orgAwareFindings(base: Command): Command {
  return withOrgVariant(base, ORG_FINDINGS_HELP, async (args, io) => {
    const options = parseOrgFindingsArgs(args);
    return runOrgFindingsCommand(createOrgCliClients(options.region), options, io);
  });
}

export function orgAwareCoverage(base: Command): Command {
  return withOrgVariant(base, ORG_COVERAGE_HELP, async (args, io) => {
    const options = parseOrgCoverageArgs(args);
    return runOrgCoverageCommand(createOrgCliClients(options.region), options, io);
  });
}
