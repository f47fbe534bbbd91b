"""Health checks of the database and the task broker, each with its answer and its latency.

The broker check opens a connection, which costs a round trip or more; health is polled often
(load balancers, `make bench-api`), so its answer is kept for a second and concurrent requests
share one check.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from celery import Celery

BROKER_ANSWER_KEPT_S = 1.0


@dataclass(frozen=True)
class CheckResult:
    status: Literal["ok", "error"]
    latency_ms: float
    # What failed, by error class only: a message can name a host, a user or a password.
    reason: str | None = None


async def timed(
    check: Callable[[], Awaitable[None]], describe: Callable[[Exception], str]
) -> CheckResult:
    started = time.perf_counter()
    try:
        await check()
    except Exception as exc:
        return CheckResult("error", _ms_since(started), describe(exc))
    return CheckResult("ok", _ms_since(started))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


@dataclass(kw_only=True)
class BrokerHealth:
    """Whether a new connection to the Celery broker opens, checked at most once a second."""

    _celery_app: Celery
    _answer: tuple[float, CheckResult] | None = field(default=None, init=False)
    _lock: asyncio.Lock | None = field(default=None, init=False)

    async def check(self) -> CheckResult:
        fresh = self._fresh()
        if fresh is not None:
            return fresh
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            fresh = self._fresh()
            if fresh is None:
                fresh = await timed(self._connect, _broker_reason)
                self._answer = (time.monotonic(), fresh)
            return fresh

    def _fresh(self) -> CheckResult | None:
        if self._answer is not None and time.monotonic() - self._answer[0] < BROKER_ANSWER_KEPT_S:
            return self._answer[1]
        return None

    async def _connect(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self._connect_now)

    def _connect_now(self) -> None:
        timeout = self._celery_app.conf.broker_connection_timeout
        with self._celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=timeout)
            connection.default_channel  # noqa: B018 - opening a channel talks to the broker


def _broker_reason(exc: Exception) -> str:
    return f"broker unreachable ({type(exc).__name__})"
