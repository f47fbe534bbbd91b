"""The chord a large cleanup becomes: a subtask per user-id range, then a callback summing them."""

from collections.abc import Iterable
from datetime import datetime

from celery import Celery, chord

from delivery.tasks.names import TaskName


def cleanup_chord(
    celery_app: Celery,
    ranges: Iterable[tuple[int, int]],
    *,
    completed_before: datetime | None,
    run_id: str,
    started_at: float,
) -> chord:
    """Subtasks renew the run's lock as `run_id`; the callback, which ends the run, frees it.

    The keyword stays `lock_token`, so subtasks queued by an older release still run.
    """
    cutoff = completed_before.isoformat() if completed_before else None
    header = [
        celery_app.signature(
            TaskName.TODO_CLEANUP_RANGE.value,
            kwargs={
                "first_user_id": first,
                "last_user_id": last,
                "completed_before": cutoff,
                "lock_token": run_id,
            },
        )
        for first, last in ranges
    ]
    body = celery_app.signature(
        TaskName.TODO_CLEANUP_TOTALS.value,
        kwargs={"lock_token": run_id, "started_at": started_at},
    )
    return chord(header, body)
