from typing import Any

from pydantic import BaseModel


class TaskAcceptedOut(BaseModel):
    task_id: str


class TaskStatusOut(BaseModel):
    task_id: str
    # QUEUED, STARTED, PROGRESS, SUCCESS, FAILURE, ...
    state: str
    ready: bool
    # Counts so far while the state is PROGRESS.
    progress: dict[str, Any] | None
    # The task's return value once it succeeded.
    result: Any
    error: str | None
