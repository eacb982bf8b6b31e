/** Places on the host with a meaning for detection. */

/** World-writable directories every user can drop a file into: where payloads land. */
export const DROP_DIRS: readonly string[] = ['/tmp/', '/var/tmp/', '/dev/shm/', '/run/shm/', '/dev/mqueue/', '/var/crash/'];

export function inDropDir(path: string | undefined): boolean {
  return !!path && DROP_DIRS.some((d) => path.startsWith(d));
}

/** System executable directories (a program there came from a package or an admin, usually). */
export const SYSTEM_BIN_DIRS: readonly string[] = ['/usr/bin/', '/usr/sbin/', '/bin/', '/sbin/', '/usr/lib/', '/usr/libexec/', '/lib/', '/lib64/', '/usr/lib64/', '/usr/local/bin/', '/usr/local/sbin/', '/opt/'];

export function inSystemDir(path: string | undefined): boolean {
  return !!path && SYSTEM_BIN_DIRS.some((d) => path.startsWith(d));
}

/** Container runtime API sockets. */
export const CONTAINER_SOCKETS: ReadonlySet<string> = new Set([
  '/var/run/docker.sock', '/run/docker.sock', '/run/containerd/containerd.sock', '/var/run/containerd/containerd.sock',
  '/run/crio/crio.sock', '/var/run/crio/crio.sock', '/run/podman/podman.sock', '/var/run/dockershim.sock',
  '/run/k3s/containerd/containerd.sock', '/run/buildkit/buildkitd.sock',
]);

/** Container runtime binaries (CVE-2019-5736 overwrites the host's runc through /proc/self/exe). */
export const RUNTIME_BINARY_NAMES: ReadonlySet<string> = new Set(['runc', 'crun', 'docker-runc', 'containerd-shim', 'containerd-shim-runc-v2', 'runsc', 'youki']);

/** Host paths whose mount inside a container hands it the host. */
export const HOST_SENSITIVE_MOUNT_SOURCES: readonly string[] = ['/', '/etc', '/root', '/home', '/var', '/var/lib/docker', '/var/lib/kubelet', '/var/run', '/run', '/proc', '/sys', '/boot', '/usr', '/dev', '/lib', '/bin', '/sbin'];

/** Block devices (the host's disks): mounting one inside a container reads the host file system. */
export const BLOCK_DEVICE = /^\/dev\/(?:sd[a-z]+\d*|xvd[a-z]+\d*|vd[a-z]+\d*|nvme\d+n\d+(?:p\d+)?|hd[a-z]+\d*|mapper\/.+|dm-\d+|root|md\d+|mmcblk\d+(?:p\d+)?)$/;
