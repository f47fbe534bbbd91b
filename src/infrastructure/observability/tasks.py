"""What every task run leaves behind, a log line and its metrics; the worker's and Beat's set-up.

One line per run names the task, its id, how long it ran and its outcome: `success`, `failure`,
`retry`, `ignored` (replaced by other tasks), or `skipped` when it succeeded without doing its
work, which a task says by returning a mapping whose `skipped` is set. The same outcomes count in
`celery_task_runs_total`.
"""

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from celery import signals, states

from configs.observability import MetricsSettings
from infrastructure.observability import metrics
from infrastructure.observability.tracing import configure_tracing

logger = logging.getLogger("todo.tasks")

SuccessObserver = Callable[[Any], None]

_started: dict[str, float] = {}
_on_success: dict[str, SuccessObserver] = {}
_settings: list[MetricsSettings] = []

_OUTCOMES = {
    states.SUCCESS: "success",
    states.FAILURE: "failure",
    states.RETRY: "retry",
    states.IGNORED: "ignored",
    states.REJECTED: "rejected",
}


def observe_task_runs(on_success: Mapping[str, SuccessObserver] | None = None) -> None:
    """Log and count every task run in this process; `on_success[name](result)` after a success."""
    _on_success.update(on_success or {})
    signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="todo.task_started")
    signals.task_postrun.connect(_task_finished, weak=False, dispatch_uid="todo.task_finished")


def _task_started(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


def _task_finished(
    task_id: str | None = None,
    task: Any = None,
    retval: Any = None,
    state: str | None = None,
    **_: Any,
) -> None:
    started = _started.pop(task_id, None) if task_id else None
    seconds = time.perf_counter() - started if started is not None else None
    name = str(getattr(task, "name", "unknown"))
    outcome = outcome_of(state, retval)
    _log(name, task_id, outcome, seconds, retval)
    if metrics_on():
        metrics.observe_task_run(name, outcome, seconds)
        observer = _on_success.get(name)
        if outcome == "success" and observer is not None:
            observer(retval)


def outcome_of(state: str | None, result: Any) -> str:
    outcome = _OUTCOMES.get(state or "", (state or "unknown").lower())
    if outcome == "success" and isinstance(result, Mapping) and result.get("skipped"):
        return "skipped"
    return outcome


def _log(name: str, task_id: str | None, outcome: str, seconds: float | None, result: Any) -> None:
    level = logging.WARNING if outcome in ("failure", "rejected") else logging.INFO
    if not logger.isEnabledFor(level):
        return
    duration_ms = round(seconds * 1000, 2) if seconds is not None else None
    detail = ""
    if outcome == "skipped":
        detail = f" ({result['skipped']})"
    elif outcome == "failure" and isinstance(result, BaseException):
        detail = f" ({type(result).__name__})"  # the class only: messages can name hosts
    fields = {"task": name, "task_id": task_id, "outcome": outcome, "duration_ms": duration_ms}
    logger.log(
        level, "task %s[%s] %s%s in %s ms", name, task_id, outcome, detail, duration_ms,
        extra={"fields": fields},
    )  # fmt: skip


def metrics_on() -> bool:
    """Metrics are kept when enabled; a process running tasks before any set-up prepares them."""
    if metrics.metrics_directory() is not None:
        return True
    if not _settings:
        _settings.append(MetricsSettings())
    return metrics.prepare_metrics(_settings[0], role="worker") is not None


def observe_worker_and_beat(settings: MetricsSettings) -> None:
    """Tracing (`celery-worker`, `celery-beat`) and the worker's metrics server, by signal."""
    _settings[:] = [settings]

    def worker_started(sender: Any = None, **_: Any) -> None:
        if metrics.prepare_metrics(settings, role="worker") and settings.worker_port:
            metrics.serve_metrics(settings.worker_host, settings.worker_port)
        configure_tracing(service_name="celery-worker")  # solo and thread pools run tasks here

    def pool_process_started(**_: Any) -> None:
        configure_tracing(service_name="celery-worker")  # a forked pool process: exporters anew

    def beat_started(**_: Any) -> None:
        configure_tracing(service_name="celery-beat")

    signals.worker_init.connect(worker_started, weak=False, dispatch_uid="todo.worker_init")
    signals.worker_process_init.connect(
        pool_process_started, weak=False, dispatch_uid="todo.worker_process_init"
    )
    signals.beat_init.connect(beat_started, weak=False, dispatch_uid="todo.beat_init")
