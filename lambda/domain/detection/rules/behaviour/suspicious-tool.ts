/**
 * Execution:Runtime/SuspiciousTool — an offensive or dual-use tool ran (scanners, credential
 * dumpers and crackers, tunnels, offensive frameworks, privilege-escalation enumerators). The base
 * severity is the category's (knowledge/suspicious-tools.ts); it goes up one band when the tool runs
 * from a foothold (child of a network service, shell on a socket, binary in /tmp), and down to Low
 * when package or configuration management runs it. The program is named by its executable,
 * argv[0] or script — never by words in its arguments.
 */
import type { ActivityEvent } from '../../../events/runtime-event';
import { SUSPICIOUS_TOOLS, TOOL_CATEGORY_SEVERITY, type ToolInfo } from '../../knowledge/suspicious-tools';
import { type DetectionRule, type FindingCandidate, NO_FINDINGS, type RuleContext } from '../../rule';
import { compact } from './support/compact';
import { footholdReason } from './support/foothold';
import { commandLine, eventNames, isAdminToolingLineage } from './support/process-context';

const TYPE = 'Execution:Runtime/SuspiciousTool';

export const suspiciousTool: DetectionRule = {
  id: 'suspicious-tool',
  kinds: ['process_exec'],
  types: [TYPE],
  evaluate(event: ActivityEvent, ctx: RuleContext): readonly FindingCandidate[] {
    if (event.kind !== 'process_exec' || event.success === false) return NO_FINDINGS;
    let tool: { name: string; info: ToolInfo } | undefined;
    for (const n of eventNames(event)) {
      const info = SUSPICIOUS_TOOLS.get(n) ?? toolByScriptName(n);
      if (info) {
        tool = { name: n, info };
        break;
      }
    }
    if (!tool) return NO_FINDINGS;
    let severity = TOOL_CATEGORY_SEVERITY[tool.info.category];
    const foothold = footholdReason(event, ctx);
    if (foothold) severity = Math.min(8, severity + 3);
    if (isAdminToolingLineage(event)) severity = 2;
    return [
      {
        type: TYPE,
        severity,
        aggregationKey: `${tool.info.category}|${tool.name}`,
        description: `${tool.name} (${tool.info.what}) ran${foothold ? `, and ${foothold}` : ''}: ${commandLine(event.process.argv, 200)}`,
        context: compact({ toolName: tool.name, toolCategory: tool.info.category, commandLineExample: commandLine(event.process.argv, 500) }),
        evidence: { foothold },
      },
    ];
  },
};

/**
 * A tool run as a script (linpeas.sh, pspy.py): its name without the interpreter extension. Every
 * exec name that is not a tool comes here, so the extension is checked by character before any
 * string is cut.
 */
function toolByScriptName(name: string): ToolInfo | undefined {
  const dot = name.length - 3;
  if (dot < 1 || name.charCodeAt(dot) !== 46 /* . */) return undefined;
  const ext = name.slice(dot + 1);
  if (ext !== 'sh' && ext !== 'py' && ext !== 'pl' && ext !== 'rb') return undefined;
  return SUSPICIOUS_TOOLS.get(name.slice(0, dot));
}
