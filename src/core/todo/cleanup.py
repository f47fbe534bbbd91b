"""The completed-todo cleanup's rule, written once.

- **Who is cleaned:** active users (`users_to_clean`); inactive users' todos are never touched.
- **What goes:** their completed todos, or with a retention only those completed before the
  cutoff (`retention_cutoff`).
- **How:** set-based batches of users walked by id (keyset), each batch one `DELETE` bounded by a
  user-id range in its own short transaction, so the statement count grows with users / batch
  size and memory holds one batch of ids. A batch whose `DELETE` fails is retried user by user
  (`clean_batch`), so one broken row costs its owner's cleanup, not the batch's.

Delivery code (the task) only adds locking, fan-out and progress around these calls.
"""

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import DatabaseError

from core.todo.models import Todo
from core.user.services.user import active_users
from infrastructure.observability.spans import span

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from core.user.models import User

logger = logging.getLogger(__name__)


def users_to_clean() -> "QuerySet[User]":
    return active_users()


def retention_cutoff(retention: timedelta, *, now: datetime) -> datetime | None:
    """Todos completed before this instant go; None (no retention) means every completed one."""
    if retention < timedelta(0):
        raise ValueError(f"a retention cannot be negative, got {retention}")
    return now - retention if retention else None


@dataclass(frozen=True)
class UserFailure:
    user_id: int
    error: str


@dataclass
class BatchOutcome:
    deleted: int = 0
    failures: list[UserFailure] = field(default_factory=list)


@dataclass(kw_only=True)
class TodoCleanupService:
    def count_active_users(self) -> int:
        return users_to_clean().count()

    def active_user_batches(
        self,
        *,
        batch_size: int,
        first_user_id: int | None = None,
        last_user_id: int | None = None,
    ) -> Iterator[list[int]]:
        """Ids of active users in ascending batches, optionally within an inclusive id range."""
        users = users_to_clean()
        if last_user_id is not None:
            users = users.filter(pk__lte=last_user_id)
        after = None if first_user_id is None else first_user_id - 1
        while True:
            page = users if after is None else users.filter(pk__gt=after)
            ids = list(page.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return
            yield ids
            if len(ids) < batch_size:
                return
            after = ids[-1]

    def active_user_id_ranges(self, *, users_per_range: int) -> Iterator[tuple[int, int]]:
        """Inclusive id ranges holding `users_per_range` active users each (the last: the rest)."""
        users = users_to_clean().order_by("pk").values_list("pk", flat=True)
        first = users.first()
        while first is not None:
            boundary = list(users.filter(pk__gte=first)[users_per_range - 1 : users_per_range])
            if not boundary:
                yield first, users.reverse()[0]
                return
            yield first, boundary[0]
            first = users.filter(pk__gt=boundary[0]).first()

    def clean_batch(
        self, user_ids: Sequence[int], *, completed_before: datetime | None
    ) -> BatchOutcome:
        """One batch: a single `DELETE`; if the database refuses it, one `DELETE` per user."""
        first, last = user_ids[0], user_ids[-1]
        with span("todo cleanup batch", first_user_id=first, last_user_id=last) as current:
            outcome = self._clean_batch(user_ids, completed_before=completed_before)
            current.set("users", len(user_ids))
            current.set("deleted_count", outcome.deleted)
            current.set("failures", len(outcome.failures))
        return outcome

    def _clean_batch(
        self, user_ids: Sequence[int], *, completed_before: datetime | None
    ) -> BatchOutcome:
        try:
            return BatchOutcome(
                deleted=self.delete_completed_for_users(user_ids, completed_before=completed_before)
            )
        except DatabaseError:
            logger.warning(
                "cleanup of users %s..%s failed; retrying user by user",
                user_ids[0],
                user_ids[-1],
                exc_info=True,
            )
        outcome = BatchOutcome()
        for user_id in user_ids:
            try:
                outcome.deleted += self.delete_completed_for_users(
                    [user_id], completed_before=completed_before
                )
            except DatabaseError as exc:
                logger.error("cleanup of user %s failed: %s", user_id, exc)
                outcome.failures.append(UserFailure(user_id=user_id, error=str(exc).strip()))
        return outcome

    def delete_completed_for_users(
        self, user_ids: Sequence[int], *, completed_before: datetime | None = None
    ) -> int:
        """Delete the completed todos of the active users among ascending `user_ids` at once.

        One statement in its own transaction, so nothing wider than this batch is held. A user
        deactivated (or deleted) since the batch was read is skipped by the statement itself.
        """
        first, last = user_ids[0], user_ids[-1]
        active = users_to_clean().filter(pk__gte=first, pk__lte=last).values("pk")
        todos = Todo.objects.filter(
            completed=True, user_id__gte=first, user_id__lte=last, user_id__in=active
        )
        if completed_before is not None:
            todos = todos.filter(completed_at__lt=completed_before)
        deleted, _ = todos.delete()
        return deleted
