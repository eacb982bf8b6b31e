/**
 * Offensive and dual-use tools by category. The category decides the base severity of
 * Execution:Runtime/SuspiciousTool; the rule raises it when the tool runs from a foothold (a
 * network service's child, a shell on a socket, a world-writable directory).
 */
export type ToolCategory = 'scanner' | 'credential-access' | 'tunnel' | 'pentest-framework' | 'enumeration' | 'dual-use';

export interface ToolInfo {
  readonly category: ToolCategory;
  /** What the tool is, for the finding description. */
  readonly what: string;
}

const SCANNERS = ['nmap', 'masscan', 'zmap', 'rustscan', 'naabu', 'unicornscan', 'hping3', 'arp-scan', 'netdiscover', 'nikto', 'sqlmap', 'gobuster', 'dirb', 'dirbuster', 'ffuf', 'feroxbuster', 'wfuzz', 'wpscan', 'nuclei', 'whatweb', 'zgrab', 'zgrab2', 'pnscan', 'sx', 'fscan'];
const CREDENTIAL = ['mimipenguin', 'mimipenguin.sh', 'mimipenguin.py', 'lazagne', 'lazagne.py', 'hydra', 'medusa', 'ncrack', 'patator', 'john', 'hashcat', 'crackmapexec', 'cme', 'netexec', 'nxc', 'impacket-secretsdump', 'secretsdump.py', 'truffleHog', 'trufflehog', 'gitleaks', 'linikatz', 'linikatz.sh', '3snake', 'swap_digger', 'tgt-dump'];
const TUNNELS = ['chisel', 'ngrok', 'frpc', 'frps', 'iodine', 'iodined', 'dnscat', 'dnscat2', 'ligolo', 'ligolo-ng', 'ligolo-agent', 'gost', 'rathole', 'ptunnel', 'ptunnel-ng', 'revsocks', 'reGeorg', 'neo-regeorg', 'bore', 'stowaway', 'earthworm', 'ew', 'nps', 'npc'];
const FRAMEWORKS = ['msfconsole', 'msfvenom', 'msfrpcd', 'msfd', 'meterpreter', 'mettle', 'sliver', 'sliver-server', 'sliver-client', 'empire', 'powershell-empire', 'pupy', 'pupysh', 'havoc', 'mythic', 'covenant', 'merlin', 'merlinagent', 'pwncat', 'pwncat-cs', 'weevely', 'beef-xss', 'koadic', 'poshc2', 'villain'];
const ENUMERATION = ['linpeas', 'linpeas.sh', 'linenum', 'linenum.sh', 'lse.sh', 'linux-exploit-suggester', 'linux-exploit-suggester.sh', 'les.sh', 'pspy', 'pspy32', 'pspy64', 'unix-privesc-check', 'deepce', 'deepce.sh', 'cdk', 'peirates', 'kube-hunter', 'amicontained', 'botb'];
const DUAL_USE = ['socat', 'ncat', 'proxychains', 'proxychains4', 'tcpdump', 'tshark', 'responder'];

function table(names: readonly string[], category: ToolCategory, what: string): [string, ToolInfo][] {
  return names.map((n) => [n.toLowerCase(), { category, what }]);
}

export const SUSPICIOUS_TOOLS: ReadonlyMap<string, ToolInfo> = new Map([
  ...table(SCANNERS, 'scanner', 'network or web scanner'),
  ...table(CREDENTIAL, 'credential-access', 'credential dumper or password cracker'),
  ...table(TUNNELS, 'tunnel', 'tunnelling or reverse-proxy tool'),
  ...table(FRAMEWORKS, 'pentest-framework', 'offensive framework or implant'),
  ...table(ENUMERATION, 'enumeration', 'privilege-escalation or container enumeration script'),
  ...table(DUAL_USE, 'dual-use', 'dual-use network tool'),
]);

/** Base severity per category (GuardDuty documents SuspiciousTool as variable). */
export const TOOL_CATEGORY_SEVERITY: Readonly<Record<ToolCategory, number>> = {
  'pentest-framework': 8,
  'credential-access': 8,
  tunnel: 5,
  scanner: 5,
  enumeration: 5,
  'dual-use': 2,
};
