/**
 * The behaviour rules (issue 4, item 1, behaviour group). The context recorder comes first: it
 * remembers listeners, connections, file writes and process parents that the other rules read.
 */
import type { DetectionRule } from '../../rule';
import { cgroupsReleaseAgentModified } from './cgroups-release-agent-modified';
import { containerMountsHostDirectory } from './container-mounts-host-directory';
import { contextRecorder } from './context-recorder';
import { cryptoMinerExecuted } from './crypto-miner-executed';
import { dockerSocketAccessed } from './docker-socket-accessed';
import { elevationToRoot } from './elevation-to-root';
import { filelessExecution } from './fileless-execution';
import { kernelModuleLoaded } from './kernel-module-loaded';
import { maliciousFileExecuted } from './malicious-file-executed';
import { newBinaryExecuted } from './new-binary-executed';
import { newLibraryLoaded } from './new-library-loaded';
import { processInjectionProc } from './process-injection-proc';
import { processInjectionPtrace } from './process-injection-ptrace';
import { processInjectionVmWrite } from './process-injection-vm-write';
import { ptraceAntiDebugging } from './ptrace-anti-debugging';
import { reverseShell } from './reverse-shell';
import { runcContainerEscape } from './runc-container-escape';
import { sensitiveFileModified } from './sensitive-file-modified';
import { suspiciousCommandDefenseEvasion } from './suspicious-command-defense-evasion';
import { suspiciousCommandDiscovery } from './suspicious-command-discovery';
import { suspiciousCommandExecution } from './suspicious-command-execution';
import { suspiciousCommandPersistence } from './suspicious-command-persistence';
import { suspiciousCommandPrivilegeEscalation } from './suspicious-command-privilege-escalation';
import { suspiciousShellCreated } from './suspicious-shell-created';
import { suspiciousTool } from './suspicious-tool';
import { userfaultfdUsage } from './userfaultfd-usage';

export const BEHAVIOUR_RULES: readonly DetectionRule[] = [
  contextRecorder,
  reverseShell,
  suspiciousShellCreated,
  newBinaryExecuted,
  newLibraryLoaded,
  suspiciousTool,
  suspiciousCommandExecution,
  suspiciousCommandDefenseEvasion,
  suspiciousCommandPrivilegeEscalation,
  suspiciousCommandPersistence,
  suspiciousCommandDiscovery,
  maliciousFileExecuted,
  filelessExecution,
  processInjectionProc,
  processInjectionPtrace,
  processInjectionVmWrite,
  ptraceAntiDebugging,
  kernelModuleLoaded,
  cryptoMinerExecuted,
  elevationToRoot,
  userfaultfdUsage,
  sensitiveFileModified,
  dockerSocketAccessed,
  runcContainerEscape,
  cgroupsReleaseAgentModified,
  containerMountsHostDirectory,
];
