"""Process set-up that must happen before torch or any model code is imported: keep stdout for
the protocol only, and apply resource limits (the rlimit part of the OS sandbox layer)."""
from __future__ import annotations

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


def parse_args(argv: list) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    i = 0
    while i < len(argv):
        if argv[i] == "--limits" and i + 1 < len(argv):
            out["limits"] = json.loads(argv[i + 1])
            i += 2
        else:
            i += 1
    return out
