"""Django ORM work from async code: a bounded pool of threads, each with its own connection.

Django keeps one connection per thread. An API process runs its short ORM work on
`DATABASE_POOL_SIZE` threads, so it holds at most that many connections for it, and a request that
waits on the database (a row lock, a slow statement) holds one thread while the others go on
serving. The statement and lock timeouts (see `timeouts.py`) bound how long that wait can last.
Slow CPU work (password hashing) gets its own small pool, so it never takes a short request's
thread.

Django checks a connection between requests only when told to. Under FastAPI nothing tells it, so
a connection killed by a database restart would fail every later request on its thread. Each hop
therefore calls `close_old_connections()` before and after the work: with `CONN_MAX_AGE` the
connection is reused, and with `CONN_HEALTH_CHECKS` a dead one is replaced on first use.

Django's health check is a `SELECT 1` round trip before each hop's first query, which cost about
a fifth of the throughput of short requests. A PostgreSQL server that restarts or terminates a
backend first sends the client an error and closes the socket, so an idle connection whose socket
is readable has been hung up on. Each hop polls that socket (no round trip): a readable one is
closed and replaced, a quiet one counts as checked and Django skips its ping. A server that
vanished without a word still fails one request, after which the hop closes the broken connection.
"""

import asyncio
import contextvars
import functools
import select
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from django.db import close_old_connections, connections

from configs.core import DatabaseSettings

SLOW_ORM_THREADS = 4

P = ParamSpec("P")
R = TypeVar("R")


class _Pools:
    """Created on first use, so the pool size is read from the settings a process ends up with."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: dict[str, tuple[ThreadPoolExecutor, int]] = {}

    def get(self, name: str) -> ThreadPoolExecutor:
        found = self._pools.get(name)
        if found is None:
            with self._lock:
                found = self._pools.get(name)
                if found is None:
                    size = DatabaseSettings().pool_size if name == "orm" else SLOW_ORM_THREADS
                    pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix=name)
                    found = self._pools[name] = (pool, size)
        return found[0]

    def started(self) -> list[tuple[ThreadPoolExecutor, int]]:
        with self._lock:
            return list(self._pools.values())


_pools = _Pools()


async def run_orm(func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run all of a request's ORM work in one hop to an ORM thread.

    Keep slow CPU work (password hashing) out of it: use `run_orm_slow`, or short requests queue
    behind it.
    """
    return await _hop(_pools.get("orm"), functools.partial(func, *args, **kwargs))


async def run_orm_slow(func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Like `run_orm`, on a separate pool, for work that holds the CPU for long (hashing)."""
    return await _hop(_pools.get("orm-slow"), functools.partial(func, *args, **kwargs))


async def _hop(pool: ThreadPoolExecutor, call: Callable[[], R]) -> R:
    context = contextvars.copy_context()  # what sync_to_async would carry over: log context, traces
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, context.run, _with_connection_checks, call)


def _with_connection_checks(call: Callable[[], R]) -> R:
    close_old_connections()
    _replace_hung_up_connections()
    try:
        return call()
    finally:
        close_old_connections()


def _replace_hung_up_connections() -> None:
    for wrapper in connections.all(initialized_only=True):
        raw = wrapper.connection
        if raw is None or wrapper.vendor != "postgresql":
            continue
        if raw.closed or _has_unread_data(raw.pgconn.socket):
            wrapper.close()
        elif wrapper.settings_dict["CONN_HEALTH_CHECKS"]:
            wrapper.health_check_done = True  # type: ignore[attr-defined]


def _has_unread_data(fd: int) -> bool:
    """An idle PostgreSQL connection has nothing to read unless the server hung up."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def close_orm_connections() -> None:
    """Close every connection the ORM threads hold (tests, shutdown): blocks until done."""
    for pool, size in _pools.started():
        _on_every_thread(pool, size)


def _on_every_thread(pool: ThreadPoolExecutor, size: int) -> None:
    # Each task waits until all have started, so every thread of the pool runs exactly one.
    barrier = threading.Barrier(size)

    def close() -> None:
        barrier.wait(timeout=10)
        connections.close_all()

    for future in [pool.submit(close) for _ in range(size)]:
        future.result(timeout=15)
