"""Publishing tasks on demand (HTTP, CLI) and reading back what became of them.

An id is marked `ISSUED` in the result backend before its task is published, so a task that is
queued but not started reads differently from an id that was never issued (Celery calls both
`PENDING`).
"""

import contextlib
import uuid
from dataclasses import dataclass
from typing import Any

from celery import states
from typing_extensions import TypedDict  # pydantic validates only this one on Python 3.11

from delivery.tasks.progress import PROGRESS
from delivery.tasks.registry import TasksRegistry
from infrastructure.celery.publishing import BrokerUnavailableError, is_unreachable, unavailable

__all__ = ["ISSUED", "QUEUED", "BrokerUnavailableError", "TaskPublisher", "TaskStatus"]

ISSUED = "ISSUED"
QUEUED = "QUEUED"


class TaskStatus(TypedDict):
    """What the CLI prints and the staff endpoint answers."""

    task_id: str
    # QUEUED, STARTED, PROGRESS, SUCCESS, FAILURE, ...
    state: str
    ready: bool
    # Counts so far while the state is PROGRESS.
    progress: dict[str, Any] | None
    # The task's return value once it succeeded.
    result: Any
    error: str | None


@dataclass(kw_only=True)
class TaskPublisher:
    _tasks_registry: TasksRegistry

    def publish_todo_cleanup(self) -> str:
        task = self._tasks_registry.todo_cleanup
        task_id = str(uuid.uuid4())
        try:
            task.backend.store_result(task_id, None, ISSUED)
        except Exception as exc:
            if not is_unreachable(exc):
                raise
            raise unavailable(task.app, f"queue {task.name}", exc) from exc
        try:
            task.apply_async(task_id=task_id)
        except BrokerUnavailableError:
            _forget(task, task_id)
            raise
        return task_id

    def status(self, task_id: str) -> TaskStatus | None:
        """What became of a task; None for an id nobody issued (or whose result expired)."""
        result = self._tasks_registry.celery_app.AsyncResult(task_id)
        try:
            state, info = result.state, result.info
        except Exception as exc:
            if not is_unreachable(exc):
                raise
            raise unavailable(result.app, f"read task {task_id}", exc) from exc
        if state == states.PENDING:
            return None
        failed = state in states.PROPAGATE_STATES
        return TaskStatus(
            task_id=task_id,
            state=QUEUED if state == ISSUED else state,
            ready=state in states.READY_STATES,
            progress=info if state == PROGRESS and isinstance(info, dict) else None,
            result=info if state == states.SUCCESS else None,
            error=f"{type(info).__name__}: {info}" if failed else None,
        )


def _forget(task: Any, task_id: str) -> None:
    with contextlib.suppress(Exception):  # else the marker expires with the other results
        task.backend.forget(task_id)
