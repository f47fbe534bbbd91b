"""The cleanup deletes exactly the todos the rule names, whatever the users, todos and batches.

The rule: completed todos of active users, and with a retention, only those completed before the
cutoff. The test drives `TodoCleanupService` through its public methods, batch by batch, as the
cleanup task does.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.todo.cleanup import TodoCleanupService
from core.todo.models import Todo
from core.user.models import User

pytestmark = pytest.mark.django_db

# Per todo: completed, and how many days ago it was completed.
TODOS = st.lists(st.tuples(st.booleans(), st.integers(0, 9)), max_size=5)
USERS = st.lists(st.tuples(st.booleans(), TODOS), min_size=1, max_size=6)  # (active, todos)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(users=USERS, batch_size=st.integers(1, 4), retention_days=st.none() | st.integers(0, 9))
def test_cleanup_removes_exactly_the_predicted_set(
    users: list[tuple[bool, list[tuple[bool, int]]]], batch_size: int, retention_days: int | None
) -> None:
    User.objects.all().delete()  # one database for every example
    now = timezone.now()
    cutoff = None if retention_days is None else now - timedelta(days=retention_days)
    predicted: set[int] = set()
    for index, (active, todos) in enumerate(users):
        user = User.objects.create(username=f"u{index}", email=f"u{index}@x.org", is_active=active)
        for completed, days_ago in todos:
            todo = Todo.objects.create(user=user, title="t", completed=completed)
            completed_at = now - timedelta(days=days_ago, hours=1) if completed else None
            Todo.objects.filter(pk=todo.pk).update(completed_at=completed_at)
            done_in_time = completed_at is not None and (cutoff is None or completed_at < cutoff)
            if active and done_in_time:
                predicted.add(todo.pk)
    before = set(Todo.objects.values_list("pk", flat=True))

    service = TodoCleanupService()
    deleted = sum(
        service.delete_completed_for_users(batch, completed_before=cutoff)
        for batch in service.active_user_batches(batch_size=batch_size)
    )

    assert set(Todo.objects.values_list("pk", flat=True)) == before - predicted
    assert deleted == len(predicted)
