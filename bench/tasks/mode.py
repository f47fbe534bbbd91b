"""One broker mode measured end to end, meant to run in a fresh process of its own.

Each mode needs its own Celery app built from its own environment; a fresh process keeps the
modes' apps, connections and task registrations apart.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from tests.harness.servers import RedisServer

from bench.common import scaled
from bench.tasks.roundtrip import (
    FAST_POLL_S,
    RoundTrips,
    Throughput,
    ping_once,
    round_trips,
    throughput,
)
from bench.tasks.worker import CeleryWorker

CONCURRENCY = 2


@dataclass(frozen=True)
class ModeResult:
    mode: str
    as_written: RoundTrips  # `delay().get()`
    fast_poll: RoundTrips  # `delay().get(interval=FAST_POLL_S)`
    burst: Throughput


def _environment(mode: str, scratch: Path, stack: ExitStack) -> dict[str, str]:
    env = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "REDIS_URL": "",
        "LOGGING_LEVEL": "WARNING",
    }
    if mode == "embedded":
        return env | {
            "CELERY_BROKER_URL": "",
            "CELERY_RESULT_BACKEND": "",
            "CELERY_EMBEDDED_DIR": str(scratch / "celery"),
        }
    if mode == "redis":
        redis = stack.enter_context(RedisServer())
        return env | {
            "CELERY_BROKER_URL": redis.url_for(0),
            "CELERY_RESULT_BACKEND": redis.url_for(1),
        }
    raise ValueError(f"unknown mode {mode!r}: use embedded or redis")


def measure_mode(mode: str) -> ModeResult:
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-tasks-")))
        os.environ.update(_environment(mode, scratch, stack))

        from delivery.tasks.registry import TasksRegistry
        from ioc.container import ContainerFactory

        registry = ContainerFactory()().resolve(TasksRegistry)
        worker = stack.enter_context(CeleryWorker(os.environ, concurrency=CONCURRENCY))
        worker.wait_ready(lambda: ping_once(registry, interval=FAST_POLL_S))
        samples, warm_up = scaled(200, minimum=20), scaled(20)
        try:
            as_written = round_trips(registry, samples=samples, warm_up=warm_up)
            fast = round_trips(registry, samples=samples, warm_up=warm_up, interval=FAST_POLL_S)
            burst = throughput(registry, tasks=scaled(1000, minimum=50))
        except Exception:
            print(f"{mode} worker log:\n{worker.log_tail()}", file=sys.stderr, flush=True)
            raise
        return ModeResult(mode=mode, as_written=as_written, fast_poll=fast, burst=burst)
