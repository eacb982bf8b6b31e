/**
 * The shell commands the optional forensic capture runs through SSM (AWS-RunShellScript) before the
 * network is cut. Read-only on the host; output goes to the evidence bucket. Hashes come from
 * /proc/<pid>/exe so deleted or replaced binaries are still hashed as they run; each executable
 * path is hashed once (later processes of the same path print `=`), deleted ones every time.
 * Few forks per process, so a busy host is captured in seconds.
 */
// biome-ignore-start lint/suspicious/noTemplateCurlyInString: these are shell parameter expansions, not JavaScript templates
export const FORENSICS_COMMANDS: readonly string[] = [
  'export LC_ALL=C',
  "echo '== picket forensic capture v1'; date -u +%Y-%m-%dT%H:%M:%SZ; uname -a",
  "echo '== processes'; ps -eo pid,ppid,uid,user,lstart,stat,args --no-headers 2>&1 || true",
  "echo '== connections'; (ss -tunap 2>/dev/null || netstat -tunap 2>/dev/null || cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6) 2>&1",
  "echo '== open files'; ls -l /proc/[0-9]*/fd 2>/dev/null | head -n 100000",
  'echo \'== executables\'; seen=\' \'; for p in /proc/[0-9]*; do e=$(readlink "$p/exe" 2>/dev/null) || continue; case "$e" in *" (deleted)") ;; *) case "$seen" in *" $e "*) echo "${p#/proc/} = $e"; continue;; esac; seen="$seen$e ";; esac; h=$(sha256sum "$p/exe" 2>/dev/null | cut -d\' \' -f1); echo "${p#/proc/} $h $e"; done',
  "echo '== end'",
];
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: end of the shell script

/** SSM document run by the capture. */
export const FORENSICS_DOCUMENT = 'AWS-RunShellScript';
/**
 * Seconds the capture may run on the host. With the 5 s polls and a 5 s grace the network cut
 * still lands within the 60 s target when a capture hangs (see bench/responder.bench.ts).
 */
export const FORENSICS_TIMEOUT_SECONDS = 25;
/** The poll gives up (reports, isolation goes on) this long after the command was sent. */
export const FORENSICS_GIVE_UP_SECONDS = FORENSICS_TIMEOUT_SECONDS + 5;
