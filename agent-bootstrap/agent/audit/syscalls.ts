/**
 * Syscall numbers of the calls Picket cares about, per audit arch (AUDIT_ARCH_* as written in `arch=`), and the
 * names of ptrace requests and bpf commands. Only what the normaliser maps; any other syscall is ignored.
 * ENRICHED logs name the syscall themselves (SYSCALL=execve); that name is preferred when present.
 */

const X86_64: Record<number, string> = {
  1: 'write', 2: 'open', 32: 'dup', 33: 'dup2', 42: 'connect', 43: 'accept', 49: 'bind', 50: 'listen', 56: 'clone',
  57: 'fork', 58: 'vfork', 59: 'execve', 60: 'exit', 76: 'truncate', 82: 'rename', 85: 'creat', 86: 'link', 87: 'unlink',
  88: 'symlink', 90: 'chmod', 91: 'fchmod', 101: 'ptrace', 105: 'setuid', 106: 'setgid', 113: 'setreuid', 114: 'setregid',
  117: 'setresuid', 119: 'setresgid', 122: 'setfsuid', 123: 'setfsgid', 165: 'mount', 175: 'init_module', 231: 'exit_group',
  257: 'openat', 263: 'unlinkat', 264: 'renameat', 265: 'linkat', 266: 'symlinkat', 268: 'fchmodat', 288: 'accept4',
  292: 'dup3', 310: 'process_vm_readv', 311: 'process_vm_writev', 313: 'finit_module', 316: 'renameat2', 319: 'memfd_create',
  321: 'bpf', 322: 'execveat', 323: 'userfaultfd', 435: 'clone3', 437: 'openat2', 452: 'fchmodat2',
};

/** The asm-generic table used by aarch64 (and riscv64). */
const AARCH64: Record<number, string> = {
  23: 'dup', 24: 'dup3', 35: 'unlinkat', 36: 'symlinkat', 37: 'linkat', 38: 'renameat', 40: 'mount', 45: 'truncate',
  52: 'fchmod', 53: 'fchmodat', 56: 'openat', 64: 'write', 93: 'exit', 94: 'exit_group', 105: 'init_module', 117: 'ptrace',
  143: 'setregid', 144: 'setgid', 145: 'setreuid', 146: 'setuid', 147: 'setresuid', 149: 'setresgid', 151: 'setfsuid',
  152: 'setfsgid', 200: 'bind', 201: 'listen', 202: 'accept', 203: 'connect', 220: 'clone', 221: 'execve', 242: 'accept4',
  270: 'process_vm_readv', 271: 'process_vm_writev', 273: 'finit_module', 276: 'renameat2', 279: 'memfd_create', 280: 'bpf',
  281: 'execveat', 282: 'userfaultfd', 435: 'clone3', 437: 'openat2', 452: 'fchmodat2',
};

/** ppc64 (big- and little-endian): only the calls seen in real captures of network tools. */
const PPC64: Record<number, string> = {
  2: 'fork', 11: 'execve', 120: 'clone', 327: 'bind', 328: 'connect', 329: 'listen', 330: 'accept', 344: 'accept4', 362: 'execveat',
};

/** i386: exec only (32-bit processes on x86_64 hosts). */
const I386: Record<number, string> = { 2: 'fork', 11: 'execve', 120: 'clone', 358: 'execveat' };

const TABLES: Record<string, Record<number, string>> = {
  c000003e: X86_64,
  c00000b7: AARCH64,
  c00000f3: AARCH64, // riscv64 uses the generic table
  '80000015': PPC64,
  c0000015: PPC64,
  '40000003': I386,
};

/** Architectures whose sockaddr family field is big-endian. */
export const BIG_ENDIAN_ARCHES: ReadonlySet<string> = new Set(['80000015']);

/** Syscall name for an audit arch (hex as logged) and number; undefined when not one Picket maps. */
export function syscallName(arch: string | undefined, nr: number | undefined): string | undefined {
  if (nr === undefined) return undefined;
  const table = TABLES[(arch ?? 'c000003e').toLowerCase()];
  return table?.[nr];
}

/** Request numbers; 16896.. are 0x4200.. (PTRACE_SETOPTIONS and later). */
const PTRACE_REQUESTS: Record<number, string> = {
  0: 'PTRACE_TRACEME', 1: 'PTRACE_PEEKTEXT', 2: 'PTRACE_PEEKDATA', 3: 'PTRACE_PEEKUSER', 4: 'PTRACE_POKETEXT',
  5: 'PTRACE_POKEDATA', 6: 'PTRACE_POKEUSER', 7: 'PTRACE_CONT', 8: 'PTRACE_KILL', 9: 'PTRACE_SINGLESTEP',
  12: 'PTRACE_GETREGS', 13: 'PTRACE_SETREGS', 14: 'PTRACE_GETFPREGS', 15: 'PTRACE_SETFPREGS', 16: 'PTRACE_ATTACH',
  17: 'PTRACE_DETACH', 18: 'PTRACE_GETFPXREGS', 19: 'PTRACE_SETFPXREGS', 24: 'PTRACE_SYSCALL', 16896: 'PTRACE_SETOPTIONS',
  16897: 'PTRACE_GETEVENTMSG', 16898: 'PTRACE_GETSIGINFO', 16899: 'PTRACE_SETSIGINFO', 16900: 'PTRACE_GETREGSET',
  16901: 'PTRACE_SETREGSET', 16902: 'PTRACE_SEIZE', 16903: 'PTRACE_INTERRUPT', 16904: 'PTRACE_LISTEN',
  16905: 'PTRACE_PEEKSIGINFO', 16906: 'PTRACE_GETSIGMASK', 16907: 'PTRACE_SETSIGMASK',
  16908: 'PTRACE_SECCOMP_GET_FILTER', 16909: 'PTRACE_SECCOMP_GET_METADATA', 16910: 'PTRACE_GET_SYSCALL_INFO',
};

export function ptraceRequestName(request: number): string {
  return PTRACE_REQUESTS[request] ?? `PTRACE_${request}`;
}

const BPF_COMMANDS = [
  'BPF_MAP_CREATE', 'BPF_MAP_LOOKUP_ELEM', 'BPF_MAP_UPDATE_ELEM', 'BPF_MAP_DELETE_ELEM', 'BPF_MAP_GET_NEXT_KEY',
  'BPF_PROG_LOAD', 'BPF_OBJ_PIN', 'BPF_OBJ_GET', 'BPF_PROG_ATTACH', 'BPF_PROG_DETACH', 'BPF_PROG_TEST_RUN',
  'BPF_PROG_GET_NEXT_ID', 'BPF_MAP_GET_NEXT_ID', 'BPF_PROG_GET_FD_BY_ID', 'BPF_MAP_GET_FD_BY_ID', 'BPF_OBJ_GET_INFO_BY_FD',
  'BPF_PROG_QUERY', 'BPF_RAW_TRACEPOINT_OPEN', 'BPF_BTF_LOAD', 'BPF_BTF_GET_FD_BY_ID', 'BPF_TASK_FD_QUERY',
  'BPF_MAP_LOOKUP_AND_DELETE_ELEM', 'BPF_MAP_FREEZE', 'BPF_BTF_GET_NEXT_ID', 'BPF_MAP_LOOKUP_BATCH',
  'BPF_MAP_LOOKUP_AND_DELETE_BATCH', 'BPF_MAP_UPDATE_BATCH', 'BPF_MAP_DELETE_BATCH', 'BPF_LINK_CREATE', 'BPF_LINK_UPDATE',
  'BPF_LINK_GET_FD_BY_ID', 'BPF_LINK_GET_NEXT_ID', 'BPF_ENABLE_STATS', 'BPF_ITER_CREATE', 'BPF_LINK_DETACH',
  'BPF_PROG_BIND_MAP', 'BPF_TOKEN_CREATE',
] as const;

export function bpfCommandName(command: number): string | undefined {
  return BPF_COMMANDS[command];
}

/** Record type numbers as some logs write them (type=1300, UNKNOWN[1300]) → names. */
export const RECORD_TYPE_NUMBERS: Record<string, string> = {
  '1300': 'SYSCALL', '1302': 'PATH', '1303': 'IPC', '1304': 'SOCKETCALL', '1305': 'CONFIG_CHANGE', '1306': 'SOCKADDR',
  '1307': 'CWD', '1309': 'EXECVE', '1318': 'OBJ_PID', '1320': 'EOE', '1327': 'PROCTITLE',
};

/** Open flags that mean the file may be written (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC; same on x86_64 and arm64). */
export const OPEN_WRITE_FLAGS = 0x1 | 0x2 | 0x40 | 0x200;
