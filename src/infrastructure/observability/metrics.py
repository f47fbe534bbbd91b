"""Prometheus metrics, correct across processes: prometheus-client's multiprocess mode.

Each process writes its values to files in one folder, and a scrape adds up every process's
files, so several API processes (or a worker's pool) answer as one. The folder must be emptied
when the service starts, and only then: the files of a process that exited during the run hold
counts that must not go backwards. So every process holds a shared lock on the folder while it
lives, and a process that finds nobody holding it (the first of a start) empties it first.

The folder is chosen before any metric exists, once per process (`prepare_metrics`); metrics are
created on first use after that.
"""

import fcntl
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from configs.observability import MetricsSettings

logger = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LOCK_FILE = ".in-use"

_lock = threading.Lock()
_directory: Path | None = None
_held: int | None = None  # the lock's file descriptor, open for the life of the process


def prepare_metrics(settings: MetricsSettings, *, role: str) -> Path | None:
    """Use `<METRICS_DIR>/<role>` for this process's metrics; the first call of a process wins.

    Returns the folder, or None with metrics off.
    """
    global _directory, _held
    if not settings.enabled:
        return None
    with _lock:
        if _directory is None:
            directory = settings.dir / role
            _held = _claim(directory)
            os.environ[MULTIPROC_ENV] = str(directory)
            from prometheus_client import values

            values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]  # in case it was imported before
            _directory = directory
        return _directory


def metrics_directory() -> Path | None:
    return _directory


def _claim(directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass  # others of this start are running: join them
    else:
        for stale in directory.glob("*.db"):
            stale.unlink(missing_ok=True)
    fcntl.flock(fd, fcntl.LOCK_SH)  # waits while the first process empties the folder
    return fd


def render() -> tuple[bytes, str]:
    """Every process's metrics in Prometheus's text format, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    if _directory is not None:
        MultiProcessCollector(registry, path=str(_directory))  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST


def serve_metrics(host: str, port: int) -> bool:
    """This process's folder over HTTP on `host:port` (the worker); False if it cannot bind."""
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    if _directory is not None:
        MultiProcessCollector(registry, path=str(_directory))  # type: ignore[no-untyped-call]
    try:
        start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        logger.warning("worker metrics not served on %s:%s: %s", host, port, exc)
        return False
    logger.info("worker metrics on http://%s:%s/metrics", host, port)
    return True


class _Lazy:
    """Metrics made on first use, after the folder is chosen."""

    def __init__(self, build: Callable[[], dict[str, Any]]) -> None:
        self._build = build
        self._made: dict[str, Any] | None = None

    def __getitem__(self, name: str) -> Any:
        if self._made is None:
            with _lock:
                if self._made is None:
                    self._made = self._build()
        return self._made[name]


def _http() -> dict[str, Any]:
    from prometheus_client import Counter, Histogram

    labels = ("method", "route", "status")
    return {
        "requests": Counter("http_requests", "Requests answered", labels),
        "duration": Histogram("http_request_duration_seconds", "Time to answer", labels),
    }


def _tasks() -> dict[str, Any]:
    from prometheus_client import Counter, Gauge, Histogram

    buckets = (0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600)
    return {
        "runs": Counter("celery_task_runs", "Task runs by outcome", ("task", "outcome")),
        "duration": Histogram(
            "celery_task_duration_seconds", "Time a task ran", ("task",), buckets=buckets
        ),
        "deleted": Counter("todo_cleanup_todos_deleted", "Completed todos the cleanup deleted"),
        "last_success": Gauge(
            "todo_cleanup_last_success_timestamp_seconds",
            "When a cleanup run last finished without skipping (Unix time)",
            multiprocess_mode="max",
        ),
    }


_HTTP = _Lazy(_http)
_TASKS = _Lazy(_tasks)


class HttpMetrics:
    """One request's count and duration; the label children are looked up once per key."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            labels = (method, route, str(status))
            children = (_HTTP["requests"].labels(*labels), _HTTP["duration"].labels(*labels))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


def observe_task_run(task: str, outcome: str, seconds: float | None) -> None:
    _TASKS["runs"].labels(task, outcome).inc()
    if seconds is not None:
        _TASKS["duration"].labels(task).observe(seconds)


def observe_cleanup_success(*, todos_deleted: int, finished_at: float) -> None:
    _TASKS["deleted"].inc(todos_deleted)
    _TASKS["last_success"].set(finished_at)
