"""Child processes of the tests and benchmarks: stopping them one way, reading their logs.

Every server or worker a run starts is asked to stop, given a while, then killed and reaped, so a
run never leaves processes behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import subprocess
import sys
import time
from pathlib import Path
from signal import SIGKILL, SIGTERM, Signals
from types import TracebackType
from typing import Self


def stop_process(
    proc: subprocess.Popen[bytes],
    *,
    signal: Signals = SIGTERM,
    timeout_s: float = 10.0,
    group: bool = False,
) -> None:
    """Send `signal`, wait up to `timeout_s`, then SIGKILL; reap it. An exited `proc` is left be.

    `group` signals the process group `proc` leads (started with `start_new_session=True`), so
    what it forked gets the same signals.
    """
    if proc.poll() is not None:
        return

    def send(sig: Signals) -> None:
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)

    send(signal)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        send(SIGKILL)
        proc.wait()


def kill_process_group(group: int, *, timeout_s: float = 10.0) -> None:
    """SIGKILL what is left of a process group until only the dead are left.

    Children can outlive their leader briefly: Celery's pool processes, still holding database
    connections, or ones orphaned by a crash. Orphans are this process's to reap (see
    `adopt_orphans`); where nobody reaps them, their zombies end the wait all the same.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.killpg(group, SIGKILL)
        except ProcessLookupError:
            return
        members = _group_members(group)
        for pid, state, parent in members:
            if state == "Z" and parent == os.getpid():
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
        if all(state == "Z" for _, state, _ in members):
            return
        time.sleep(0.05)


def adopt_orphans() -> None:
    """Become the parent of orphaned descendants (Linux), so that their zombies can be reaped.

    A worker killed with its pool leaves the pool orphaned; in a container whose first process
    reaps nothing, their zombies would stay for good.
    """
    if sys.platform != "linux":
        return
    pr_set_child_subreaper = 36
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def _group_members(group: int) -> list[tuple[int, str, int]]:
    """(pid, state, parent pid) of every process in `group`, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 2 and int(fields[2]) == group:
            members.append((int(entry.name), fields[0], int(fields[1])))
    return members


def tail_lines(path: Path, lines: int = 40) -> str:
    """The end of a child's log, for error messages; never raises."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"<no log: {exc}>"


class Managed:
    """Context-manager plumbing; subclasses implement idempotent start()/stop()."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
