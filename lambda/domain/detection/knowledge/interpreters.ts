/**
 * Script interpreters that run inline code from the command line (`-e`, `-c`, `-r`): the favourite
 * launchers of one-line reverse shells. Names are families (see names.ts programFamily).
 */
export const INTERPRETERS: ReadonlySet<string> = new Set([
  'python', 'python2', 'python3', 'pypy', 'pypy3', 'perl', 'ruby', 'php', 'node', 'nodejs', 'lua', 'luajit',
  'tclsh', 'wish', 'awk', 'gawk', 'mawk', 'nawk', 'busybox', 'pwsh', 'osascript', 'jrunscript', 'rlwrap',
]);

/** The argument that introduces inline code, per interpreter family. */
export const INLINE_CODE_FLAGS: Readonly<Record<string, readonly string[]>> = {
  python: ['-c'], python2: ['-c'], python3: ['-c'], pypy: ['-c'], pypy3: ['-c'],
  perl: ['-e', '-E'], ruby: ['-e', '-rsocket'], php: ['-r'], node: ['-e', '--eval'], nodejs: ['-e', '--eval'],
  lua: ['-e'], luajit: ['-e'], pwsh: ['-c', '-command'],
};

/**
 * What inline code does, as regular expressions over the code text (not over a fixture): a reverse
 * shell needs all three capabilities — a network connection, the connection wired onto stdio, a shell.
 */
export const INLINE_CAPABILITIES = {
  /** Opens a network connection. */
  connects: [
    /\bsocket\s*\(/i, /\bconnect\s*\(/i, /\bcreate_connection\s*\(/, /\bTCPSocket\b/, /\bfsockopen\s*\(/,
    /\bnet\.(?:connect|Socket|createConnection)\b/, /\/inet\/tcp\//, /\/dev\/(?:tcp|udp)\//, /\bIO::Socket/,
    /\bsocket\.socket\b/, /\bstream_socket_client\s*\(/,
  ],
  /** Puts a socket (or any fd) onto stdin/stdout/stderr. */
  wiresStdio: [
    /\bopen\s*\(\s*STD(?:IN|OUT|ERR)\s*,\s*["']?[<>+]*&/i, /\bdup2\s*\(/, /\bdup\s*\(/, /\$stdin\.reopen|\$stdout\.reopen|\breopen\s*\(/,
    /\bpty\.spawn\s*\(/, /[<>]&\s*\d/, /\bpipe\s*\(\s*(?:c|client|s|sock)\b/i, /\bstdio\s*:\s*\[/, /\.pipe\s*\(\s*(?:sh|client|s)\b/,
    /\bproc_open\s*\(/, /\bspawn\s*\(\s*["'`][^"'`]*\b(?:sh|bash)\b/, /\|&/, /\bexec\s*\(?\s*["'][^"']*\b(?:sh|bash)\b[^"']*<&\s*\d/,
    /\bsubprocess\.(?:call|Popen|run)\s*\([^)]*\bstd(?:in|out)\s*=/,
  ],
  /** Starts a command shell. */
  spawnsShell: [
    /\/bin\/(?:ba|da|z|k|c|tc|a)?sh\b/, /["'`](?:ba|da|z|k)?sh(?:\s+-i)?["'`]/, /\bcmd\.exe\b/, /\bsystem\s*\(/, /\bexec\s*\(/,
    /\bpopen\s*\(/, /\bspawn\s*\(/, /\bshell_exec\s*\(/, /\bpassthru\s*\(/, /\bsubprocess\b/, /\bos\.system\b/,
  ],
} as const;
