"""Typed handles for publishing tasks: `registry.todo_cleanup.delay()`.

Names come from `names.py` and result types from `results.py`; neither imports a task module, so
the task modules may import from here (as the tutorial's do) without an import cycle.
"""

from dataclasses import dataclass
from typing import Any, cast

from celery import Celery, Task

from delivery.tasks.names import TaskName
from delivery.tasks.results import CleanupResult, SessionCleanupResult

__all__ = ["TaskName", "TaskNotRegisteredError", "TasksRegistry"]


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
