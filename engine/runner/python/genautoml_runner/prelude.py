"""Process set-up that must happen before torch or any model code is imported: keep stdout for
the protocol only, and apply resource limits (the rlimit part of the OS sandbox layer)."""
from __future__ import annotations

import errno
import io
import json
import os
import resource
import sys
from typing import Any, Dict, Optional

_proto = None


class CappedWriter(io.TextIOBase):
    """Stands in for sys.stdout: model prints go to stderr up to a cap and are dropped after it,
    so a model printing megabytes neither breaks the protocol nor floods the pipe."""

    def __init__(self, cap: int = 64 * 1024):
        self.cap = cap
        self.written = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        n = len(s)
        room = self.cap - self.written
        if room > 0:
            chunk = s[:room]
            try:
                sys.__stderr__.write(chunk)
            except Exception:  # noqa: BLE001 - a closed stderr must not kill the runner
                pass
            self.written += len(chunk)
            self.dropped += n - len(chunk)
        else:
            self.dropped += n
        return n

    def flush(self) -> None:
        try:
            sys.__stderr__.flush()
        except Exception:  # noqa: BLE001
            pass


def setup_streams() -> Any:
    """Moves the protocol to a private duplicate of fd 1 and points fd 1 at stderr, so C-level
    writes (print from native code, torch warnings) cannot interleave with protocol lines."""
    global _proto
    # Whatever descriptors the parent or bwrap left open beyond stdio must not reach model code.
    os.closerange(3, 1 << 16)
    fd = os.dup(1)
    os.set_inheritable(fd, False)
    os.dup2(2, 1)
    _proto = os.fdopen(fd, "wb", buffering=0)
    capped = CappedWriter()
    sys.stdout = capped
    return capped


def protocol_stream() -> Any:
    return _proto


LIMITS = {
    "as_mb": resource.RLIMIT_AS,
    "cpu_s": resource.RLIMIT_CPU,
    "nproc": resource.RLIMIT_NPROC,
    "fsize_mb": resource.RLIMIT_FSIZE,
}


def apply_limits(limits: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    applied: Dict[str, Any] = {}
    if not limits:
        return applied
    for key, res in LIMITS.items():
        v = limits.get(key)
        if v is None:
            continue
        v = int(v)
        if key.endswith("_mb"):
            v = v * 1024 * 1024
        soft = hard = v
        if key == "cpu_s":
            hard = v + 5  # SIGXCPU at the soft limit, SIGKILL at the hard one
        try:
            cur_soft, cur_hard = resource.getrlimit(res)
            if cur_hard != resource.RLIM_INFINITY:
                hard = min(hard, cur_hard)
                soft = min(soft, hard)
            resource.setrlimit(res, (soft, hard))
            applied[key] = limits[key]
        except (ValueError, OSError) as e:
            applied[key] = f"failed: {e}"
    # Core dumps of a killed model would land in the scratch dir; nobody needs them.
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass
    return applied


# Syscalls a trainer never needs: running programs, new processes (threads are still allowed:
# torch's thread pool uses clone with CLONE_THREAD), debugging other processes, mounts and
# namespaces, kernel keyrings, BPF, perf, modules, sockets (there is no network anyway), io_uring.
DENIED_SYSCALLS = (
    "execve", "execveat", "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "move_mount", "open_tree", "fsopen", "fsmount",
    "fsconfig", "fspick", "mount_setattr", "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff",
    "open_by_handle_at", "name_to_handle_at", "io_uring_setup", "io_uring_enter", "io_uring_register", "socket",
    "socketpair", "acct", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "syslog", "iopl", "ioperm",
    "personality", "quotactl", "lookup_dcookie", "fanotify_init",
)
CLONE_THREAD = 0x00010000


def apply_seccomp(mode: str) -> str:
    """Loads the filter (python3-seccomp, libseccomp) before torch or model code. mode "required"
    fails closed when it cannot load; "optional" (the operator's GENAUTOML_ALLOW_UNSANDBOXED)
    reports why and carries on."""
    if mode == "off":
        return "off: disabled"
    try:
        import seccomp  # Debian: python3-seccomp

        f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        deny = seccomp.ERRNO(errno.EPERM)
        for name in DENIED_SYSCALLS:
            try:
                f.add_rule(deny, name)
            except (RuntimeError, ValueError, OSError):
                pass  # not a syscall on this architecture
        # clone without CLONE_THREAD is fork; clone3 hides its flags in memory, so it reports
        # ENOSYS and glibc falls back to clone for threads.
        f.add_rule(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
        try:
            f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        except (RuntimeError, ValueError, OSError):
            pass
        f.load()
        return "on"
    except Exception as e:  # noqa: BLE001 - ImportError, or a kernel without seccomp
        if mode == "required":
            sys.__stderr__.write(f"genautoml-runner: seccomp filter unavailable: {type(e).__name__}: {e}\n")
            sys.__stderr__.flush()
            os._exit(3)
        return f"off: {type(e).__name__}: {str(e)[:200]}"


def parse_args(argv: list) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    i = 0
    while i < len(argv):
        if argv[i] == "--limits" and i + 1 < len(argv):
            out["limits"] = json.loads(argv[i + 1])
            i += 2
        elif argv[i] == "--seccomp" and i + 1 < len(argv):
            out["seccomp"] = argv[i + 1]
            i += 2
        else:
            i += 1
    return out
