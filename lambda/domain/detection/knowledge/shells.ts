/** Command shells: a shell whose input comes from the network is a remote command prompt. */
export const SHELLS: ReadonlySet<string> = new Set([
  'sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'ksh93', 'mksh', 'pdksh', 'csh', 'tcsh', 'fish', 'rbash', 'yash',
  'busybox', // busybox sh / ash applets
]);

/** Flags after which a shell runs a command string instead of reading commands from stdin. */
export const SHELL_COMMAND_FLAGS: ReadonlySet<string> = new Set(['-c', '-ic', '-ci', '-lc', '-cl', '-xc', '-ec', '-ce']);
