"""Fault tests with real processes: workers killed and stopped, Beat restarted, brokers taken away.

Each test runs on the session's broker (`TEST_BACKEND`: the embedded broker on SQLite, Redis or
RabbitMQ on PostgreSQL) in a namespace of its own (a folder, Redis databases, a purged queue), with
workers of its own, stopped by pid even when the test fails. The session's shared worker is
stopped first, so that only a test's own workers consume.
"""

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from signal import SIGQUIT
from typing import TYPE_CHECKING, Any

import pytest
import redis
from celery.result import AsyncResult

from delivery.tasks.registry import TasksRegistry
from ioc.container import ContainerFactory
from tests.conftest import backend
from tests.delivery.tasks.database import slow_deletes
from tests.delivery.tasks.worker import stop_session_worker, subprocess_env
from tests.harness.celery_worker import CeleryWorker
from tests.harness.servers import RabbitMQServer, RedisServer

if TYPE_CHECKING:
    from tests.reliability.cases import CleanupCase  # conftest loads before Django is set up

__all__ = ["slow_deletes"]

BROKER = {"sqlite": "embedded", "postgres": "redis", "rabbitmq": "rabbitmq"}[backend()]
# Redis hands a dead worker's task to another after the visibility timeout (600 s by default);
# the tests shorten it, and every time limit below it, as the start-up check requires.
# Long enough that a worker started right after a kill is up before the task comes back, so
# the test sees the periodic look for timed-out tasks, not only the one a worker makes at start.
REDIS_VISIBILITY_TIMEOUT_S = 15
SHORT_LIMITS = {
    "CELERY_VISIBILITY_TIMEOUT_S": str(REDIS_VISIBILITY_TIMEOUT_S),
    "CELERY_SOFT_TIME_LIMIT_S": "12",
    "CELERY_TIME_LIMIT_S": "13",
    "TODO_CLEANUP_SOFT_TIME_LIMIT_S": "12",
    "TODO_CLEANUP_TIME_LIMIT_S": "13",
    "SESSION_CLEANUP_SOFT_TIME_LIMIT_S": "12",
    "SESSION_CLEANUP_TIME_LIMIT_S": "13",
}
# Databases of the session's Redis that no other test uses.
BROKER_DB, RESULTS_DB, LOCKS_DB = 5, 6, 7


@dataclass
class Cluster:
    """Workers and a publisher sharing one broker namespace and the test database."""

    env: dict[str, str]
    scratch: Path
    _monkeypatch: pytest.MonkeyPatch
    _workers: list[CeleryWorker] = field(default_factory=list)

    def use(self, **env: str) -> None:
        """Change the environment of the workers started from now on, and of this process."""
        self.env.update(env)
        for name, value in env.items():
            self._monkeypatch.setenv(name, value)

    def worker(self, name: str, *, concurrency: int = 2, **env: str) -> CeleryWorker:
        options = [
            "--concurrency", str(concurrency), "--loglevel", "INFO",
            "--hostname", f"{name}-{os.getpid()}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        worker = CeleryWorker(
            {**self.env, **env},
            log_path=self.scratch / f"{name}.log",
            options=options,
            stop_signal=SIGQUIT,
        )
        self._workers.append(worker)
        return worker.start()

    def registry(self) -> TasksRegistry:
        return ContainerFactory()().resolve(TasksRegistry)

    def ready(self, worker: CeleryWorker) -> None:
        registry = self.registry()
        assert worker.wait_ready(lambda: registry.ping.delay().get(timeout=2)) == "pong"

    def stop_all(self) -> None:
        """SIGKILL: what the workers leave behind dies with this test's broker namespace."""
        while self._workers:
            worker = self._workers.pop()
            if worker.running:
                worker.kill()
            worker.stop()


@pytest.fixture
def cluster(
    transactional_db: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    redis_server: RedisServer | None,
    rabbitmq_server: RabbitMQServer | None,
) -> Iterator[Cluster]:
    stop_session_worker()
    env = {
        "TEST_SCRATCH_DIR": str(tmp_path),
        **_broker_env(tmp_path, redis_server, rabbitmq_server),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)  # the test process publishes to the same broker
    cluster = Cluster(env=subprocess_env(**env), scratch=tmp_path, _monkeypatch=monkeypatch)
    if BROKER == "rabbitmq":
        _purge(cluster.registry())
    try:
        yield cluster
    finally:
        cluster.stop_all()


def _broker_env(
    tmp_path: Path, redis_server: RedisServer | None, rabbitmq_server: RabbitMQServer | None
) -> dict[str, str]:
    if BROKER == "embedded":
        return {
            "CELERY_BROKER_URL": "",
            "CELERY_RESULT_BACKEND": "",
            "REDIS_URL": "",
            "CELERY_EMBEDDED_DIR": str(tmp_path / "celery"),
        }
    assert redis_server is not None
    for db in (BROKER_DB, RESULTS_DB, LOCKS_DB):
        redis.Redis.from_url(redis_server.url_for(db)).flushdb()
    env = {
        "CELERY_BROKER_URL": redis_server.url_for(BROKER_DB),
        "CELERY_RESULT_BACKEND": redis_server.url_for(RESULTS_DB),
        "REDIS_URL": redis_server.url_for(LOCKS_DB),
    }
    if BROKER == "redis":
        return {**env, **SHORT_LIMITS}
    assert rabbitmq_server is not None
    return {**env, "CELERY_BROKER_URL": rabbitmq_server.url}


def _purge(registry: TasksRegistry) -> None:
    """What earlier tests left in the shared RabbitMQ queue."""
    app = registry.celery_app
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in app.amqp.queues.values():
            queue(channel).declare()
            queue(channel).purge()


def wait_until(
    condition: Callable[[], Any], *, timeout_s: float, what: str, interval_s: float = 0.05
) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval_s)
    pytest.fail(f"timed out after {timeout_s:g} s waiting for {what}")


def mid_run(result: "AsyncResult[Any]", case: "CleanupCase") -> Callable[[], bool]:
    """Some batches of the run are committed, others not, and it has not finished."""

    def check() -> bool:
        left = case.old_todos_left()
        if result.ready():
            pytest.fail(f"the run ended before the test could act: {result.result!r}")
        return 0 < left < case.old_todos_at_start

    return check


def logged_at(worker: CeleryWorker, text: str) -> datetime:
    """When the worker logged a line containing `text` (its log's own timestamps)."""
    for line in worker.log_path.read_text(errors="replace").splitlines():
        if text in line and line[:4].isdigit():
            return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
    pytest.fail(f"{worker.log_path.name} never logged {text!r}:\n{worker.log_tail()}")
