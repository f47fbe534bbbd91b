"""What the tasks return: JSON-ready TypedDicts, imported by the registry and the controllers."""

from typing import TypedDict


class CleanupError(TypedDict):
    user_id: int
    error: str


class CleanupResult(TypedDict):
    """`todo.cleanup`: what a run did, or why it did nothing."""

    users_processed: int
    todos_deleted: int
    # Up to 100 users whose todos could not be deleted; `error_count` counts them all.
    errors: list[CleanupError]
    error_count: int
    duration_s: float
    # Range subtasks of a fanned-out run; 0 when it ran in one task.
    subtasks: int
    # Why nothing was done (another run held the lock), else None: a skip is not a success.
    skipped: str | None
    # The id of the run that held the lock when this one was skipped, else None.
    blocked_by: str | None


class SessionCleanupResult(TypedDict):
    """`user.sessions.cleanup`."""

    sessions_deleted: int
