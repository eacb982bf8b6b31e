"""Runs one of each behaviour the Picket rule set must record (used by rules.audit.test.ts).

Every probe is harmless: loopback sockets only, kernel-module/bpf/mount calls that fail on purpose,
temporary files that are removed again. Failures of the probed syscalls are expected and ignored.
"""
import ctypes
import os
import socket
import subprocess
import sys

libc = ctypes.CDLL(None, use_errno=True)
NR = {"finit_module": 313, "bpf": 321, "userfaultfd": 323, "mount": 165, "process_vm_readv": 310}
probe_dir = sys.argv[1]


def attempt(fn):
    try:
        fn()
    except OSError:
        pass


# net: bind, listen, connect, accept, then a socket duplicated onto stdin (reverse-shell shape)
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
client = socket.create_connection(server.getsockname())
accepted, _ = server.accept()
saved = os.dup(0)
os.dup2(client.fileno(), 0)
os.dup2(saved, 0)

# fileless: memfd_create
os.close(os.memfd_create("picket-probe"))

# kernel surface: failing calls are recorded all the same
null = os.open("/dev/null", os.O_RDONLY)
libc.syscall(NR["finit_module"], null, b"", 0)
libc.syscall(NR["bpf"], 5, None, 0)
libc.syscall(NR["userfaultfd"], 0)
libc.syscall(NR["mount"], b"none", b"/nonexistent-picket-probe", b"tmpfs", 0, None)
libc.syscall(NR["process_vm_readv"], os.getpid(), None, 0, None, 0, 0)

# executable drops in /tmp and /dev/shm: created with an exec bit, and chmod +x
plain = os.path.join(probe_dir, "plain")
os.close(os.open(plain, os.O_CREAT | os.O_WRONLY, 0o600))
os.unlink(plain)
drop = os.path.join(probe_dir, "dropped")
os.close(os.open(drop, os.O_CREAT | os.O_WRONLY, 0o755))
os.unlink(drop)
shm = "/dev/shm/picket-probe-%d" % os.getpid()
os.close(os.open(shm, os.O_CREAT | os.O_WRONLY, 0o600))
os.chmod(shm, 0o755)
os.unlink(shm)

# a watched directory: a file created and removed in /etc/cron.d (empty: cron ignores it)
cron = "/etc/cron.d/picket-probe-%d" % os.getpid()
os.close(os.open(cron, os.O_CREAT | os.O_WRONLY, 0o600))
os.unlink(cron)

# log tampering: a file under /var/log truncated and deleted
log = "/var/log/picket-probe-%d.log" % os.getpid()
os.close(os.open(log, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
os.unlink(log)

# privilege: an unprivileged process asking for uid 0 and gid 0 (refused, recorded)
if os.fork() == 0:
    os.setgid(65534)
    os.setuid(65534)
    attempt(lambda: os.setuid(0))
    attempt(lambda: os.setgid(0))
    os._exit(0)
os.wait()

# ptrace attach (strace) to a short-lived child
if subprocess.call(["sh", "-c", "command -v strace >/dev/null"]) == 0:
    sleeper = subprocess.Popen(["sleep", "1"])
    subprocess.call(["strace", "-qq", "-o", "/dev/null", "-p", str(sleeper.pid)])
    sleeper.wait()

# exec (this process was exec'd too; one more, explicit)
subprocess.call(["/bin/true"])
