"""Progress of a long task: `PROGRESS` state with counts so far, and log lines, both throttled."""

import logging
import time
from collections.abc import Mapping
from typing import Any, cast

from celery import Task, current_task

PROGRESS = "PROGRESS"


class TaskProgress:
    """Reports to the running task's result, or only to the log when called outside a worker."""

    def __init__(self, logger: logging.Logger, *, every_s: float = 1.0) -> None:
        self._logger = logger
        self._every_s = every_s
        self._last = 0.0

    def report(self, meta: Mapping[str, Any], *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self._every_s:
            return
        self._last = now
        self._logger.info("progress: %s", ", ".join(f"{k}={v}" for k, v in meta.items()))
        task = running_task()
        if task is not None:
            task.update_state(state=PROGRESS, meta=dict(meta))


def running_task() -> "Task[Any, Any] | None":
    """The task a worker is executing in this thread; None for a direct call."""
    if not current_task:  # the proxy is falsy when no task is running
        return None
    task: Task[Any, Any] = cast(Any, current_task)._get_current_object()
    if not task.request.id or task.request.called_directly:
        return None
    return task
