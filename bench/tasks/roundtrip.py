"""`registry.ping.delay().get()` round trips in one broker mode, in a process of its own.

The mode's Celery app is built from the environment this sets, so each mode needs a fresh process.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from tests.harness.servers import RabbitMQServer, RedisServer

from bench.common import scaled
from bench.tasks.worker import CeleryWorker

CONCURRENCY = 2
RESULT_TIMEOUT_S = 60.0


def _environment(mode: str, scratch: Path, stack: ExitStack) -> dict[str, str]:
    env = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
           "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}", "REDIS_URL": "",
           "LOGGING_LEVEL": "WARNING", "CELERY_EMBEDDED_DIR": str(scratch / "celery")}  # fmt: skip
    if mode == "embedded":
        return env | {"CELERY_BROKER_URL": "", "CELERY_RESULT_BACKEND": ""}
    redis = stack.enter_context(RedisServer())
    env |= {"CELERY_RESULT_BACKEND": redis.url_for(1)}
    if mode == "redis":
        return env | {"CELERY_BROKER_URL": redis.url_for(0)}
    if mode == "rabbitmq":
        return env | {"CELERY_BROKER_URL": stack.enter_context(RabbitMQServer()).url}
    raise ValueError(f"unknown mode {mode!r}: use embedded, redis or rabbitmq")


def round_trips(mode: str) -> list[float]:
    """`registry.ping.delay().get()` as the README writes it, one after another, in ms."""
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-tasks-")))
        os.environ.update(_environment(mode, scratch, stack))

        from delivery.tasks.registry import TasksRegistry
        from ioc.container import ContainerFactory

        registry = ContainerFactory()().resolve(TasksRegistry)
        worker = stack.enter_context(CeleryWorker(os.environ, concurrency=CONCURRENCY))
        worker.wait_ready(lambda: registry.ping.delay().get(timeout=1))
        timings = []
        for number in range(scaled(20) + scaled(200, minimum=20)):
            started = time.perf_counter()
            registry.ping.delay().get(timeout=RESULT_TIMEOUT_S)
            if number >= scaled(20):  # the first ones warm up
                timings.append((time.perf_counter() - started) * 1000)
        return timings
