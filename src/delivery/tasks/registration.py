"""The one way a controller turns a method into a task: its name, and its limits if it has any."""

from collections.abc import Callable
from typing import Any

from celery import Celery, Task

from configs.tasks import TaskLimitSettings
from delivery.tasks.names import TaskName
from infrastructure.celery.limits import HARD_LIMIT_SETTING, SOFT_LIMIT_SETTING


def register_task(
    registry: Celery,
    name: TaskName,
    method: Callable[..., Any],
    *,
    limits: TaskLimitSettings | None = None,
) -> "Task[Any, Any]":
    """Register `method` as task `name` on this app only.

    Not shared: a shared task would be copied into every Celery app created later in the process,
    still bound to this controller. Without `limits` the task gets the app's defaults
    (`CELERY_SOFT_TIME_LIMIT_S` / `CELERY_TIME_LIMIT_S`). The settings' names are kept on the task
    so that the start-up check can say which setting to change.
    """
    options: dict[str, Any] = {}
    if limits is not None:
        options = {
            "soft_time_limit": limits.soft_time_limit_s,
            "time_limit": limits.time_limit_s,
            SOFT_LIMIT_SETTING: limits.setting_name("soft_time_limit_s"),
            HARD_LIMIT_SETTING: limits.setting_name("time_limit_s"),
        }
    decorate: Any = registry.task(name=name.value, shared=False, **options)
    task: Task[Any, Any] = decorate(method)
    return task
