"""Every task's hard time limit must end before the broker would deliver the task again.

On Redis an unacknowledged task goes back to the queue once the visibility timeout has passed,
even while its worker is still running it, so a limit above the timeout means two workers run the
same task. The check covers every task on the app: ours, and Celery's own (`celery.chord_unlock`,
`celery.backend_cleanup`, ...), which run with the app's default limits.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from celery import Celery

# Set on a task by whoever registers it: the names of the settings its limits came from.
SOFT_LIMIT_SETTING = "soft_time_limit_setting"
HARD_LIMIT_SETTING = "time_limit_setting"


class TaskLimitsError(ValueError):
    """A task's time limits do not fit the broker's redelivery timeout; the app refuses to start."""


@dataclass(frozen=True)
class TaskLimits:
    task: str
    soft_s: float | None
    hard_s: float | None
    soft_setting: str
    hard_setting: str


def task_limits(
    celery_app: Celery, *, default_soft_setting: str, default_hard_setting: str
) -> list[TaskLimits]:
    conf = celery_app.conf
    limits = []
    for name, task in sorted(celery_app.tasks.items()):
        own_soft, own_hard = task.soft_time_limit, task.time_limit
        limits.append(
            TaskLimits(
                task=name,
                soft_s=own_soft if own_soft is not None else conf.task_soft_time_limit,
                hard_s=own_hard if own_hard is not None else conf.task_time_limit,
                soft_setting=_setting(task, SOFT_LIMIT_SETTING, own_soft, default_soft_setting),
                hard_setting=_setting(task, HARD_LIMIT_SETTING, own_hard, default_hard_setting),
            )
        )
    return limits


def check_limits(
    limits: Iterable[TaskLimits], *, visibility_timeout_s: float, visibility_setting: str
) -> None:
    """Raise `TaskLimitsError` naming every task, and the settings, that break the rule."""
    problems = []
    for item in limits:
        if item.hard_s is None:
            problems.append(f"{item.task} has no hard time limit (set {item.hard_setting})")
            continue
        if item.hard_s >= visibility_timeout_s:
            problems.append(
                f"{item.task}: hard time limit {item.hard_s:g} s ({item.hard_setting}) is not "
                f"below {visibility_setting}={visibility_timeout_s:g} s"
            )
        if item.soft_s is not None and not 0 < item.soft_s < item.hard_s:
            problems.append(
                f"{item.task}: soft time limit {item.soft_s:g} s ({item.soft_setting}) is not "
                f"below its hard limit {item.hard_s:g} s ({item.hard_setting})"
            )
    if problems:
        msg = (
            "task time limits must end before the broker delivers a task again; "
            + "; ".join(problems)
            + f". Lower the limits (fan long work out) or raise {visibility_setting}."
        )
        raise TaskLimitsError(msg)


def _setting(task: Any, attribute: str, own: float | None, default: str) -> str:
    return str(getattr(task, attribute, None) or default) if own is not None else default
