"""Task names and typed handles for publishing tasks.

The task modules import `TaskName` from here, so this module imports their result types only for
type checking: no import cycle.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from celery import Celery, Task

if TYPE_CHECKING:
    from delivery.tasks.tasks.refresh_session_cleanup import SessionCleanupResult
    from delivery.tasks.tasks.todo_cleanup import CleanupResult


class TaskName(StrEnum):
    PING = "ping"
    TODO_CLEANUP = "todo.cleanup"
    # Internal steps of a fanned-out cleanup: one id range, then the sum of the ranges.
    TODO_CLEANUP_RANGE = "todo.cleanup.range"
    TODO_CLEANUP_TOTALS = "todo.cleanup.totals"
    # Embedded mode only: drop processed broker messages (Celery's backend_cleanup drops results).
    PRUNE_EMBEDDED_BROKER = "maintenance.prune_embedded_broker"
    # Delete refresh sessions (one row per rotation) that finished before the retention window.
    USER_SESSIONS_CLEANUP = "user.sessions.cleanup"


class TaskNotRegisteredError(LookupError):
    """A task handle was asked for before its controller registered it."""


@dataclass(kw_only=True)
class TasksRegistry:
    _celery_app: Celery

    @property
    def celery_app(self) -> Celery:
        return self._celery_app

    @property
    def ping(self) -> "Task[[], str]":
        return cast("Task[[], str]", self._task(TaskName.PING))

    @property
    def todo_cleanup(self) -> "Task[[], CleanupResult]":
        return cast("Task[[], CleanupResult]", self._task(TaskName.TODO_CLEANUP))

    @property
    def user_sessions_cleanup(self) -> "Task[[], SessionCleanupResult]":
        return cast("Task[[], SessionCleanupResult]", self._task(TaskName.USER_SESSIONS_CLEANUP))

    def _task(self, name: TaskName) -> Any:
        try:
            return self._celery_app.tasks[name]
        except KeyError:
            msg = (
                f"task {name.value!r} is not registered on this Celery app: resolve TasksRegistry "
                "from the container (TasksRegistryFactory registers every task controller)"
            )
            raise TaskNotRegisteredError(msg) from None
