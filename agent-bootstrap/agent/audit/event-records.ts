/**
 * The records of one assembled syscall event, picked apart into typed pieces: the SYSCALL fields, the argv of the
 * EXECVE records (plain, hex and split `aN_len`/`aN[k]` arguments), PATH items, CWD, SOCKADDR, PROCTITLE, OBJ_PID.
 */
import type { AuditRecord } from './record';
import { type DecodedSockaddr, decodeEnrichedSaddr, decodeSockaddr } from './sockaddr';
import { BIG_ENDIAN_ARCHES, RECORD_TYPE_NUMBERS, syscallName } from './syscalls';
import { decimal, decodeProctitle, decodeString, hexNumber, hexText } from './values';

export interface PathItem {
  readonly item: number;
  readonly name?: string;
  readonly nametype?: string;
  readonly inode?: number;
  readonly mode?: number;
}

export interface ObjPid {
  readonly pid: number;
  readonly uid?: number;
  readonly comm?: string;
}

export interface EventRecords {
  readonly syscall?: AuditRecord;
  /** Syscall name (ENRICHED SYSCALL= first, else from arch + number). */
  readonly syscallName?: string;
  readonly argv?: string[];
  /** Arguments the EXECVE records promised (argc) but did not deliver (lost records). */
  readonly argvIncomplete: boolean;
  readonly paths: PathItem[];
  readonly cwd?: string;
  readonly sockaddr?: DecodedSockaddr;
  readonly proctitle?: string[];
  readonly objPids: ObjPid[];
  /** Records that make no sense without a SYSCALL (EXECVE, PATH, CWD, SOCKADDR, OBJ_PID). */
  readonly orphanRecords: number;
}

export function normaliseType(type: string): string {
  // First letter before startsWith: this runs for every record, and nearly none is UNKNOWN[…].
  const c = type.charCodeAt(0);
  if (c === 0x55 && type.startsWith('UNKNOWN[')) return RECORD_TYPE_NUMBERS[type.slice(8, -1)] ?? type;
  if (c >= 48 && c <= 57) return RECORD_TYPE_NUMBERS[type] ?? type;
  return type;
}

export function splitRecords(records: readonly AuditRecord[]): EventRecords {
  let syscall: AuditRecord | undefined;
  let execveRecords: AuditRecord[] | undefined;
  let pathRecords: AuditRecord[] | undefined;
  const objPids: ObjPid[] = [];
  let cwd: string | undefined;
  let saddrRecord: AuditRecord | undefined;
  let proctitleRaw: string | undefined;
  let orphans = 0;
  for (const r of records) {
    switch (normaliseType(r.type)) {
      case 'SYSCALL':
        syscall = r;
        break;
      case 'EXECVE':
        orphans++;
        if (!execveRecords) execveRecords = [];
        execveRecords.push(r);
        break;
      case 'PATH':
        orphans++;
        if (!pathRecords) pathRecords = [];
        pathRecords.push(r);
        break;
      case 'CWD':
        orphans++;
        cwd = decodeString(r.get('cwd'));
        break;
      case 'SOCKADDR':
        orphans++;
        saddrRecord = r;
        break;
      case 'PROCTITLE':
        proctitleRaw = r.get('proctitle');
        break;
      case 'OBJ_PID': {
        orphans++;
        const pid = r.getDecimal('opid');
        if (pid !== undefined) objPids.push({ pid, uid: r.getDecimal('ouid'), comm: decodeString(r.get('ocomm')) });
        break;
      }
      default:
        break;
    }
  }
  const arch = syscall?.get('arch');
  const name = syscall ? (syscall.getEnriched('SYSCALL') ?? syscallName(arch, syscall.getDecimal('syscall'))) : undefined;
  let sockaddr: DecodedSockaddr | undefined;
  if (saddrRecord) {
    const raw = saddrRecord.get('saddr');
    sockaddr = (raw ? decodeSockaddr(raw, arch !== undefined && BIG_ENDIAN_ARCHES.has(arch.toLowerCase())) : undefined) ?? decodeEnrichedSaddr(saddrRecord.getEnriched('SADDR'));
  }
  const args = execveRecords ? execveArgvOf(execveRecords) : undefined;
  return new SplitEvent(syscall, name, args, pathRecords, cwd, sockaddr, proctitleRaw, objPids, syscall ? 0 : orphans);
}

/**
 * EventRecords as a class: PATH items and the proctitle are decoded on first use only (most events need neither),
 * and a class keeps one hidden class for every event where an object literal with getters would not.
 */
class SplitEvent implements EventRecords {
  readonly argv: string[] | undefined;
  readonly argvIncomplete: boolean;
  private decodedPaths: PathItem[] | undefined;
  private proctitleDone = false;
  private decodedProctitle: string[] | undefined;

  constructor(
    readonly syscall: AuditRecord | undefined,
    readonly syscallName: string | undefined,
    args: { argv: string[]; incomplete: boolean } | undefined,
    private readonly pathRecords: AuditRecord[] | undefined,
    readonly cwd: string | undefined,
    readonly sockaddr: DecodedSockaddr | undefined,
    private readonly proctitleRaw: string | undefined,
    readonly objPids: ObjPid[],
    readonly orphanRecords: number,
  ) {
    this.argv = args?.argv;
    this.argvIncomplete = args?.incomplete ?? false;
  }

  // PATH records are decoded only for the events that use them (files, mount, modules), not for every exec.
  get paths(): PathItem[] {
    if (this.decodedPaths === undefined) this.decodedPaths = this.pathRecords ? decodePaths(this.pathRecords) : [];
    return this.decodedPaths;
  }

  // Decoded only when an event needs it (most have argv from EXECVE or the process table).
  get proctitle(): string[] | undefined {
    if (!this.proctitleDone) {
      this.proctitleDone = true;
      this.decodedProctitle = this.proctitleRaw === undefined ? undefined : decodeProctitle(this.proctitleRaw);
    }
    return this.decodedProctitle;
  }
}

function decodePaths(records: readonly AuditRecord[]): PathItem[] {
  const paths = records.map((f, i) => ({
    item: f.getDecimal('item') ?? i,
    name: decodeString(f.get('name')),
    nametype: f.get('nametype') ?? f.get('objtype'),
    inode: f.getDecimal('inode'),
    mode: octal(f.get('mode')),
  }));
  return paths.sort((a, b) => a.item - b.item);
}

function octal(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number.parseInt(raw, 8);
  return Number.isNaN(n) ? undefined : n;
}

/**
 * argv from the EXECVE records in one pass over their fields (argc, aN, aN_len, aN[k]), without building a
 * field dictionary: exec events are the bulk of the stream and this is their hot path.
 */
export function execveArgvOf(records: readonly AuditRecord[]): { argv: string[]; incomplete: boolean } {
  let argc: number | undefined;
  const plain: (string | undefined)[] = [];
  const lens: (number | undefined)[] = [];
  const chunks: (string | undefined)[] = [];
  for (const r of records) {
    r.forEachField((key, value) => {
      if (key === 'argc') {
        argc = decimal(value);
        return;
      }
      if (key.charCodeAt(0) !== 0x61) return; // 'a'
      let i = 1;
      let n = 0;
      while (i < key.length && key.charCodeAt(i) >= 48 && key.charCodeAt(i) <= 57) n = n * 10 + key.charCodeAt(i++) - 48;
      if (i === 1 || n > 100_000) return;
      if (i === key.length) plain[n] ??= value;
      else if (key.startsWith('_len', i)) lens[n] = decimal(value);
      else if (key.charCodeAt(i) === 0x5b) chunks[n] = (chunks[n] ?? '') + (value.charCodeAt(0) === 0x22 ? Buffer.from(value.slice(1, -1), 'utf8').toString('hex') : value);
    });
  }
  const argv: string[] = [];
  const limit = argc ?? Math.max(plain.length, chunks.length);
  for (let n = 0; n < limit; n++) {
    const p = plain[n];
    if (p !== undefined) {
      argv.push(decodeString(p) ?? '');
      continue;
    }
    const hex = chunks[n];
    if (hex === undefined) return { argv, incomplete: argc !== undefined };
    argv.push(hexText(hex) ?? hex);
    // aN_len counts the argument's hex characters (the kernel always hex-encodes split arguments).
    const expected = lens[n];
    if (expected !== undefined && hex.length < expected) return { argv, incomplete: true };
  }
  return { argv, incomplete: false };
}

/** argv from the merged fields of the EXECVE records; stops at the first argument that never arrived. */
export function execveArgv(f: Record<string, string>): { argv: string[]; incomplete: boolean } {
  const argc = decimal(f['argc']);
  const argv: string[] = [];
  const limit = argc ?? 100000;
  for (let i = 0; i < limit; i++) {
    const plain = f[`a${i}`];
    if (plain !== undefined) {
      argv.push(decodeString(plain) ?? (plain === '(null)' ? '' : plain));
      continue;
    }
    const len = f[`a${i}_len`];
    if (len === undefined) return { argv, incomplete: argc !== undefined };
    // A long argument split over records: hex chunks a1[0], a1[1], … concatenated then decoded once, so a
    // multi-byte UTF-8 character cut between chunks survives.
    let hex = '';
    for (let k = 0; ; k++) {
      const chunk = f[`a${i}[${k}]`];
      if (chunk === undefined) break;
      hex += chunk.charCodeAt(0) === 0x22 ? Buffer.from(chunk.slice(1, -1), 'utf8').toString('hex') : chunk;
    }
    argv.push(hexText(hex) ?? hex);
    // aN_len counts the argument's hex characters (the kernel always hex-encodes split arguments).
    const expected = decimal(len);
    if (expected !== undefined && hex.length < expected) return { argv, incomplete: true };
  }
  return { argv, incomplete: false };
}

/** Register a0..a3 of a SYSCALL record as numbers. */
export function registers(sys: AuditRecord): { a0?: number; a1?: number; a2?: number; a3?: number } {
  return { a0: hexNumber(sys.get('a0')), a1: hexNumber(sys.get('a1')), a2: hexNumber(sys.get('a2')), a3: hexNumber(sys.get('a3')) };
}
