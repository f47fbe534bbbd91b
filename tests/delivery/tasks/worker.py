"""A real Celery worker in another process, started once per test session.

It runs the harness's worker against the pytest-django test database, with small cleanup batches
and a low fan-out threshold so a few dozen users (or a few sessions) exercise every path.
"""

import os
from pathlib import Path
from signal import SIGQUIT

import pytest

from delivery.tasks.registry import TasksRegistry
from ioc.container import ContainerFactory
from tests.harness.celery_worker import SRC_DIR
from tests.harness.celery_worker import CeleryWorker as CeleryWorker  # the fixtures' type
from tests.harness.databases import database_url_for_processes

# Small enough that a handful of users spans several batches and a few dozen fan out.
WORKER_SETTINGS = {
    "TODO_CLEANUP_BATCH_SIZE": "3",
    "TODO_CLEANUP_FAN_OUT_THRESHOLD": "10",
    "TODO_CLEANUP_USERS_PER_SUBTASK": "4",
    "TODO_CLEANUP_RETENTION": "P1D",
    "SESSION_CLEANUP_BATCH_SIZE": "2",
}
READY_TIMEOUT_S = 60.0


def subprocess_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        **WORKER_SETTINGS,
        "DATABASE_URL": database_url_for_processes(),
        "PYTHONPATH": str(SRC_DIR),
        **extra,
    }


_worker: CeleryWorker | None = None


def session_worker(request: pytest.FixtureRequest) -> CeleryWorker:
    """The session's worker, started on first use, stopped at the end of the session, pass or fail.

    Several test folders use it, so the first session-scoped fixture to ask starts it. Those
    fixtures depend on `django_db_setup`, so the worker stops before the test database is dropped.
    """
    global _worker
    if _worker is None:
        options = [
            "--concurrency", "2", "--loglevel", "INFO", "--hostname", f"tests-{os.getpid()}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        worker = CeleryWorker(
            subprocess_env(),
            log_path=Path(os.environ["TEST_SCRATCH_DIR"]) / "celery-worker.log",
            options=options,
            stop_signal=SIGQUIT,  # cold shutdown: the tests are over
        )
        request.addfinalizer(_stop_session_worker)
        _worker = worker
        worker.start()
        ping = ContainerFactory()().resolve(TasksRegistry).ping.delay()
        assert worker.wait_ready(lambda: ping.get(timeout=1), timeout=READY_TIMEOUT_S) == "pong"
    return _worker


def stop_session_worker() -> None:
    """Stop the shared worker now (tests that start their own want no other consumer)."""
    _stop_session_worker()


def _stop_session_worker() -> None:
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.stop()
