/**
 * Programs whose work legitimately touches what attackers touch: package managers, configuration
 * management and provisioning agents, compilers and linkers, debuggers. A finding whose actor (or
 * an ancestor of it) is one of these is benign admin work and must not raise Medium or higher.
 * Python- and Ruby-based tools are recognised by their script name (argv), not by the interpreter.
 */

export const PACKAGE_MANAGERS: ReadonlySet<string> = new Set([
  'apt', 'apt-get', 'aptitude', 'apt-check', 'dpkg', 'dpkg-deb', 'dpkg-divert', 'dpkg-statoverride', 'dpkg-trigger',
  'dpkg-reconfigure', 'unattended-upgrade', 'unattended-upgrades', 'debconf', 'ucf', 'deb-systemd-helper',
  'deb-systemd-invoke', 'update-alternatives', 'rpm', 'rpmdb', 'yum', 'dnf', 'dnf-3', 'microdnf', 'dnf-automatic',
  'zypper', 'apk', 'snap', 'snapd', 'flatpak', 'packagekitd', 'pkcon', 'amazon-linux-extras', 'pacman', 'emerge',
]);

export const CONFIG_MANAGEMENT: ReadonlySet<string> = new Set([
  'ansible', 'ansible-playbook', 'ansible-pull', 'puppet', 'puppet-agent', 'chef-client', 'chef-solo', 'cinc-client',
  'salt-minion', 'salt-call', 'cloud-init', 'cfn-init', 'cfn-hup', 'amazon-ssm-agent', 'ssm-agent-worker',
  'ssm-document-worker', 'ec2-instance-connect', 'google_guest_agent', 'waagent', 'cdist', 'mgmt',
]);

/** Compilers, assemblers and linkers: they write executables and libraries for a living. */
export const TOOLCHAIN: ReadonlySet<string> = new Set([
  'gcc', 'g++', 'cc', 'c++', 'cc1', 'cc1plus', 'collect2', 'ld', 'ld.bfd', 'ld.gold', 'ld.lld', 'lld', 'mold', 'as',
  'clang', 'clang++', 'tcc', 'go', 'compile', 'link', 'rustc', 'cargo', 'javac', 'ghc', 'gfortran', 'zig', 'nasm',
  'x86_64-linux-gnu-gcc', 'x86_64-linux-gnu-ld', 'x86_64-linux-gnu-ld.bfd', 'aarch64-linux-gnu-gcc', 'make', 'cmake',
  'ninja', 'strip', 'objcopy', 'install',
]);

/** Debuggers and tracers: attaching to a process is their job. */
export const DEBUGGERS: ReadonlySet<string> = new Set([
  'gdb', 'gdbserver', 'strace', 'ltrace', 'lldb', 'lldb-server', 'valgrind', 'perf', 'rr', 'dlv', 'criu', 'pstack',
  'gcore', 'eu-stack', 'py-spy', 'rbspy', 'async-profiler', 'jcmd', 'jstack', 'jattach', 'bpftrace', 'sysdig',
  'frida-server', // dual use, but a debugger by design
]);

/**
 * Setuid-root programs whose job is changing identity. Their processes legitimately go from a user
 * to root (sudo, su) or run with euid 0 on behalf of a user (passwd).
 */
export const ELEVATION_TOOLS: ReadonlySet<string> = new Set([
  'sudo', 'sudoedit', 'su', 'runuser', 'pkexec', 'doas', 'ksu', 'login', 'sshd', 'sshd-session', 'sshd-auth',
  'passwd', 'chsh', 'chfn', 'newgrp', 'sg', 'gpasswd', 'chage', 'expiry', 'unix_chkpwd', 'polkit-agent-helper-1',
  'polkitd', 'dbus-daemon-launch-helper', 'mount', 'umount', 'fusermount', 'fusermount3', 'ping', 'ping6',
  'newuidmap', 'newgidmap', 'ssh-keysign', 'pam_timestamp_check', 'userhelper', 'xorg', 'xorg.wrap', 'cron', 'crond',
  'atd', 'systemd', 'init', 'at', 'crontab', 'screen', 'traceroute6.iputils', 'mount.nfs', 'mount.cifs',
]);

/** Container runtimes and their CLIs: talking to the runtime socket is their job. */
export const CONTAINER_TOOLS: ReadonlySet<string> = new Set([
  'docker', 'dockerd', 'docker-proxy', 'docker-init', 'docker-compose', 'compose', 'containerd', 'containerd-shim',
  'containerd-shim-runc-v2', 'ctr', 'nerdctl', 'crictl', 'kubelet', 'podman', 'conmon', 'buildkitd', 'buildctl',
  'runc', 'crun', 'portainer', 'cadvisor', 'amazon-ecs-agent', 'ecs-agent', 'fluent-bit', 'datadog-agent',
  'dockerd-rootless.sh', 'rootlesskit', 'lima', 'colima', 'k3s', 'rke2', 'cri-dockerd', 'telegraf', 'watchtower',
]);

/**
 * Programs that start a process in new namespaces: with no container id from the host (offline
 * logs), an ancestor among these is how Picket knows a process runs "inside a container".
 */
export const NAMESPACE_LAUNCHERS: ReadonlySet<string> = new Set([
  'runc', 'crun', 'containerd-shim', 'containerd-shim-runc-v2', 'conmon', 'docker-init', 'lxc-start', 'lxc-attach',
  'systemd-nspawn', 'unshare', 'nsenter', 'bwrap', 'firejail', 'runsc', 'youki', 'kata-agent', 'catatonit',
]);
