"""Set-based deletion of completed todos, one batch of active users at a time.

Each batch is one `DELETE` bounded by a user-id range, so the statement count grows with
users / batch size, memory holds one batch of ids, and no transaction spans more than one batch.
Users are walked by id (keyset), never loaded all at once; deleted todos leave no dead rows in
that walk.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.todo.models import Todo
from core.user.models import User


@dataclass(kw_only=True)
class TodoCleanupService:
    def count_active_users(self) -> int:
        return User.objects.filter(is_active=True).count()

    def active_user_batches(
        self,
        *,
        batch_size: int,
        first_user_id: int | None = None,
        last_user_id: int | None = None,
    ) -> Iterator[list[int]]:
        """Ids of active users in ascending batches, optionally within an inclusive id range."""
        users = User.objects.filter(is_active=True)
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
        """Inclusive id ranges holding about `users_per_range` active users each, for fan-out."""
        users = User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
        first = users.first()
        while first is not None:
            boundary = list(users.filter(pk__gte=first)[users_per_range - 1 : users_per_range])
            if not boundary:
                yield first, users.reverse()[0]
                return
            yield first, boundary[0]
            first = users.filter(pk__gt=boundary[0]).first()

    def delete_completed_for_users(
        self, user_ids: Sequence[int], *, completed_before: datetime | None = None
    ) -> int:
        """Delete the completed todos of the active users among ascending `user_ids` at once.

        One statement runs in its own transaction, so nothing wider than this batch is held.
        """
        first, last = user_ids[0], user_ids[-1]
        active = User.objects.filter(is_active=True, pk__gte=first, pk__lte=last).values("pk")
        todos = Todo.objects.filter(
            completed=True, user_id__gte=first, user_id__lte=last, user_id__in=active
        )
        if completed_before is not None:
            todos = todos.filter(completed_at__lt=completed_before)
        deleted, _ = todos.delete()
        return deleted
