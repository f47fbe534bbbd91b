"""The per-user counts the database keeps equal a direct `COUNT(*)` after any sequence of writes.

Every write path is exercised: the services, set-based and per-user cleanup deletes, the admin's
save and delete, bulk creates, updates and deletes, and a user's deletion cascading to their todos.
"""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db.models import Count, Q
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.todo.cleanup import TodoCleanupService
from core.todo.models import Todo, TodoCount
from core.todo.queries import TodoQueries
from core.todo.services import TodoService
from core.user.models import User

pytestmark = pytest.mark.django_db

service = TodoService()
users_in_play = ("ann", "ben", "cat")


def _user(name: str) -> User:
    return User.objects.get_or_create(username=name, defaults={"email": f"{name}@example.com"})[0]


def _some_todo(name: str, index: int, *, completed: bool | None = None) -> Todo | None:
    todos = Todo.objects.filter(user__username=name).order_by("id")
    if completed is not None:
        todos = todos.filter(completed=completed)
    found = list(todos[:8])
    return found[index % len(found)] if found else None


def create(name: str, index: int) -> None:
    service.create_todo(_user(name), title=f"todo {index}")


def complete(name: str, index: int) -> None:
    if todo := _some_todo(name, index):
        service.mark_completed(todo.pk, todo.user_id)


def reopen(name: str, index: int) -> None:
    if todo := _some_todo(name, index):
        service.mark_incomplete(todo.pk, todo.user_id)


def delete(name: str, index: int) -> None:
    if todo := _some_todo(name, index):
        service.delete_todo(todo.pk, todo.user_id)


def cleanup_set_based(name: str, index: int) -> None:
    active = sorted(User.objects.filter(is_active=True).values_list("pk", flat=True))
    if active:
        TodoCleanupService().delete_completed_for_users(active)


def cleanup_per_user(name: str, index: int) -> None:
    service.delete_completed_todos(_user(name))


def admin_save(name: str, index: int) -> None:
    """The admin saves the whole model: here it completes, or reopens, one todo."""
    if todo := _some_todo(name, index):
        todo.completed = not todo.completed
        admin.site._registry[Todo].save_model(RequestFactory().post("/"), todo, None, change=True)


def admin_delete(name: str, index: int) -> None:
    todos = Todo.objects.filter(user__username=name, completed=bool(index % 2))
    admin.site._registry[Todo].delete_queryset(RequestFactory().post("/"), todos)


def bulk_create(name: str, index: int) -> None:
    done = timezone.now() - timedelta(days=1)
    Todo.objects.bulk_create(
        [Todo(user=_user(name), title="bulk", completed=i % 2 == 1,
              completed_at=done if i % 2 else None) for i in range(index % 5)]
    )  # fmt: skip


def bulk_complete(name: str, index: int) -> None:
    Todo.objects.filter(user__username=name, completed=False).update(
        completed=True, completed_at=timezone.now()
    )


def bulk_delete(name: str, index: int) -> None:
    Todo.objects.filter(user__username=name, id__gte=index).delete()


def delete_user(name: str, index: int) -> None:
    User.objects.filter(username=name).delete()


def deactivate_user(name: str, index: int) -> None:
    User.objects.filter(username=name).update(is_active=bool(index % 2))


OPERATIONS: list[Callable[[str, int], None]] = [
    create, create, create, complete, complete, reopen, delete, cleanup_set_based,
    cleanup_per_user, admin_save, admin_delete, bulk_create, bulk_complete, bulk_delete,
    delete_user, deactivate_user,
]  # fmt: skip


def assert_counts_are_exact() -> None:
    counted = {
        row["pk"]: (row["n"], row["done"])
        for row in User.objects.values("pk").annotate(
            n=Count("todos"), done=Count("todos", filter=Q(todos__completed=True))
        )
    }
    kept = {c.user_id: (c.total, c.completed_total) for c in TodoCount.objects.all()}
    assert kept == counted


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(OPERATIONS),
            st.sampled_from(users_in_play),
            st.integers(min_value=0, max_value=20),
        ),
        max_size=25,
    )
)
def test_counts_equal_the_rows_after_any_writes(
    steps: list[tuple[Callable[[str, int], None], str, int]],
) -> None:
    for operation, name, index in steps:
        operation(name, index)
        assert_counts_are_exact()


def test_a_page_reads_its_count_from_the_kept_row(alice: User) -> None:
    for number in range(3):
        service.create_todo(alice, title=f"t{number}")
    TodoCount.objects.filter(user_id=alice.pk).update(total=1000, completed_total=10)

    # Only a page's own rows are read: the count is the kept one, not a count of the rows.
    assert service.count_todos_for_user(alice) == 1000
    assert service.count_todos_for_user(alice, completed=True) == 10
    assert service.count_todos_for_user(alice, completed=False) == 990
    assert TodoQueries().page_for_user(alice.pk, limit=2).count == 1000
