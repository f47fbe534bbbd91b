"""Django ORM work from async code: one thread hop per request, connections checked each time.

Django keeps one connection per thread and checks it between requests only when told to. Under
FastAPI nothing tells it, so a connection killed by a database restart would fail every later
request on that thread. Each hop therefore calls `close_old_connections()` before and after the
work: with `CONN_MAX_AGE` the connection is reused, and with `CONN_HEALTH_CHECKS` a dead one is
replaced on first use.

Django's health check is a `SELECT 1` round trip before each hop's first query, which cost about
a fifth of the throughput of short requests. A PostgreSQL server that restarts or terminates a
backend first sends the client an error and closes the socket, so an idle connection whose socket
is readable has been hung up on. Each hop polls that socket (no round trip): a readable one is
closed and replaced, a quiet one counts as checked and Django skips its ping. A server that
vanished without a word still fails one request, after which the hop closes the broken connection.

Short ORM work goes to one dedicated thread, so a process holds one connection for it and the
event loop never queues behind a thread pool. With each request making one round trip, one thread
measured as fast as two on two cores (about 1,200 list requests/s) with half the p99 latency:
more threads only add GIL contention. Slow work (password hashing) gets its own small pool, so it
never stalls the short requests.
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

ORM_THREADS = 1
SLOW_ORM_THREADS = 4

_orm_pool = ThreadPoolExecutor(max_workers=ORM_THREADS, thread_name_prefix="orm")
_slow_orm_pool = ThreadPoolExecutor(max_workers=SLOW_ORM_THREADS, thread_name_prefix="orm-slow")

P = ParamSpec("P")
R = TypeVar("R")


async def run_orm(func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run all of a request's ORM work in one hop to the ORM thread.

    Keep slow CPU work (password hashing) out of it: use `run_orm_slow`, or short requests queue
    behind it.
    """
    return await _hop(_orm_pool, functools.partial(func, *args, **kwargs))


async def run_orm_slow(func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Like `run_orm`, on a separate pool, for work that holds the CPU for long (hashing)."""
    return await _hop(_slow_orm_pool, functools.partial(func, *args, **kwargs))


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
    for pool, size in ((_orm_pool, ORM_THREADS), (_slow_orm_pool, SLOW_ORM_THREADS)):
        _on_every_thread(pool, size)


def _on_every_thread(pool: ThreadPoolExecutor, size: int) -> None:
    # Each task waits until all have started, so every thread of the pool runs exactly one.
    barrier = threading.Barrier(size)

    def close() -> None:
        barrier.wait(timeout=10)
        connections.close_all()

    for future in [pool.submit(close) for _ in range(size)]:
        future.result(timeout=15)
