"""A real Celery worker in another process, started once per test session.

It runs `celery -A delivery.tasks.app worker` against the pytest-django test database, with small
cleanup batches and a low fan-out threshold so a few dozen users exercise every path.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from configs.paths import ROOT_DIR
from delivery.tasks.registry import TasksRegistry
from ioc.container import ContainerFactory

SRC_DIR = ROOT_DIR / "src"
# Small enough that a handful of users spans several batches and a few dozen fan out.
WORKER_SETTINGS = {
    "TODO_CLEANUP_BATCH_SIZE": "3",
    "TODO_CLEANUP_FAN_OUT_THRESHOLD": "10",
    "TODO_CLEANUP_USERS_PER_SUBTASK": "4",
    "TODO_CLEANUP_RETENTION": "P1D",
}
READY_TIMEOUT_S = 60.0


def test_database_url() -> str:
    """The URL of the database pytest-django created, for processes outside this one."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def subprocess_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        **WORKER_SETTINGS,
        "DATABASE_URL": test_database_url(),
        "PYTHONPATH": str(SRC_DIR),
        **extra,
    }


class CeleryWorker:
    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "delivery.tasks.app", "worker",
            "--concurrency", "2", "--loglevel", "INFO", "--hostname", f"tests-{os.getpid()}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                command,
                cwd=SRC_DIR,
                env=subprocess_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so its children stop with it
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is not None:
            _end_process_group(process.pid)
            return
        process.send_signal(signal.SIGQUIT)  # cold shutdown: the tests are over
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        _end_process_group(process.pid)

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _wait_until_ready(self) -> None:
        registry = ContainerFactory()().resolve(TasksRegistry)
        deadline = time.monotonic() + READY_TIMEOUT_S
        result = registry.ping.delay()
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                pytest.fail(f"the Celery worker exited:\n{self.log_tail()}")
            if result.ready():
                assert result.get(timeout=1) == "pong"
                return
            time.sleep(0.1)
        pytest.fail(f"the Celery worker did not answer ping:\n{self.log_tail()}")


def _end_process_group(group: int) -> None:
    """Pool children can outlive their parent briefly, still holding database connections."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            return
        time.sleep(0.05)


_worker: CeleryWorker | None = None


def session_worker(request: pytest.FixtureRequest) -> CeleryWorker:
    """The session's worker, started on first use, stopped at the end of the session, pass or fail.

    Several test folders use it, so the first session-scoped fixture to ask starts it. Those
    fixtures depend on `django_db_setup`, so the worker stops before the test database is dropped.
    """
    global _worker
    if _worker is None:
        scratch = Path(os.environ["TEST_SCRATCH_DIR"])
        worker = CeleryWorker(scratch / "celery-worker.log")
        request.addfinalizer(_stop_session_worker)
        _worker = worker
        worker.start()
    return _worker


def _stop_session_worker() -> None:
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.stop()
