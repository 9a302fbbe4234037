"""What the bench starts and how it stops it: processes stopped by their id (and their group)
however a block ends, free loopback ports, and peak memory read from /proc."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path


class BenchError(Exception):
    """The bench cannot measure what it claims to (a bad status, a server that does not start)."""


@contextlib.contextmanager
def started(command: list[str], **options: object) -> Iterator[subprocess.Popen]:
    """A process that is stopped by its id (and its group) however the block ends."""
    process = subprocess.Popen(command, start_new_session=True, **options)  # type: ignore[call-overload]
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> int | None:
    """VmHWM of a process (None once it is gone)."""
    with contextlib.suppress(OSError):
        found = re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
        return int(found.group(1)) // 1024 if found else None
    return None


def children(parent: int) -> list[int]:
    """The processes ``parent`` forked and that still run (gunicorn's workers, RQ's work horses),
    from each of its threads' list: cheap enough to read many times a second."""
    found: list[int] = []
    for listing in Path(f"/proc/{parent}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.extend(int(pid) for pid in listing.read_text().split())
    return found
