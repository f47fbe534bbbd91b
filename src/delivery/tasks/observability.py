"""What the task-run observer needs to know of our tasks: which results end a cleanup run.

A small run ends with `todo.cleanup` itself; a fanned-out one with `todo.cleanup.totals`, after
the first was replaced (`ignored`). Either result counts its deleted todos and stamps the time
of the last successful cleanup; a skipped run is neither.
"""

import time
from collections.abc import Mapping
from typing import Any

from delivery.tasks.names import TaskName
from infrastructure.observability.metrics import observe_cleanup_success
from infrastructure.observability.tasks import observe_task_runs

CLEANUP_RUN_ENDS = (TaskName.TODO_CLEANUP, TaskName.TODO_CLEANUP_TOTALS)


def observe_tasks() -> None:
    observe_task_runs(on_success={name.value: _cleanup_finished for name in CLEANUP_RUN_ENDS})


def _cleanup_finished(result: Any) -> None:
    if isinstance(result, Mapping):
        observe_cleanup_success(
            todos_deleted=int(result.get("todos_deleted", 0)), finished_at=time.time()
        )
