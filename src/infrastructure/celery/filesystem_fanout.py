"""The embedded broker's transient queues: bound as long as the process that bound them lives.

kombu's filesystem transport keeps every exchange's bindings in a file under `control/` that
nothing ever cleans. A process that exits without deleting its queue (Flower stopped with SIGTERM
or SIGKILL, a killed worker, a `celery inspect` that timed out) leaves its binding behind, and
from then on every message routed there (Celery's events, with a worker heartbeat every 2 s;
remote-control broadcasts) is written into a queue nobody reads: thousands of files a day, each
listed by every consumer on every poll.

Here a queue declared `auto_delete` or `exclusive` (event receivers, remote-control mailboxes and
replies; never the task queues, which must outlive their consumers) is held by the process that
binds it: a POSIX lock on `control/<queue>.bound` until the queue is deleted or the process dies,
however it dies. Whoever routes a message first drops the bindings whose lock has no holder, with
the messages already written for them. POSIX locks are per process, so this process never tests
(or closes) the files of its own queues.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

# Queues declared auto_delete or exclusive in this process.
_TRANSIENT: set[str] = set()
# Transient queues this process has bound: the descriptor of each one's lock file.
_HELD: dict[str, int] = {}


def declared(queue: str, *, auto_delete: bool, exclusive: bool) -> None:
    if auto_delete or exclusive:
        _TRANSIENT.add(queue)


def hold(control: Path, queue: str) -> None:
    """Lock `queue` for this process, before its binding is written; only transient queues."""
    if queue not in _TRANSIENT or queue in _HELD:
        return
    control.mkdir(parents=True, exist_ok=True)
    path = _lock_path(control, queue)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.lockf(fd, fcntl.LOCK_SH)  # waits while a publisher drops a dead holder's binding
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = None
        if current == os.fstat(fd).st_ino:
            break
        os.close(fd)  # that publisher removed the file: lock a new one
    _HELD[queue] = fd


def release(control: Path, queue: str) -> None:
    """This process deleted the queue, and so its bindings: its lock file goes too."""
    _TRANSIENT.discard(queue)
    fd = _HELD.pop(queue, None)
    if fd is not None:
        _lock_path(control, queue).unlink(missing_ok=True)
        os.close(fd)


def live_or_dropped(control: Path, queue: str, drop: Callable[[], int]) -> bool:
    """True if `queue` may receive messages; else `drop()` (unbind, purge) is called, and False.

    A queue without a lock file is not transient (or was bound before these locks), and is kept.
    `drop` runs under the dead holder's lock, so a process binding the same name again waits for
    it, then binds afresh.
    """
    if queue in _HELD:
        return True
    path = _lock_path(control, queue)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return True
            raise
        logger.warning(
            "embedded broker: queue %s has no live consumer; unbound, %s message(s) deleted",
            queue,
            drop(),
        )
        path.unlink(missing_ok=True)
        return False
    finally:
        os.close(fd)


def _lock_path(control: Path, queue: str) -> Path:
    return control / f"{queue}.bound"
