import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from core.todo.exceptions import TodoAccessDeniedError, TodoLimitReachedError, TodoNotFoundError
from core.todo.models import Todo
from core.todo.services import TodoService
from core.user.models import User


@pytest.fixture
def service() -> TodoService:
    return TodoService()


def test_create_and_get(service: TodoService, alice: User) -> None:
    todo = service.create_todo(alice, title="write", description="tests")

    fetched = service.get_todo_by_id(todo.pk, alice)

    assert (fetched.title, fetched.description, fetched.completed) == ("write", "tests", False)
    assert fetched.user_id == alice.pk


def test_missing_and_foreign_todos_raise_distinct_domain_errors(
    service: TodoService, alice: User, bob: User
) -> None:
    todo = service.create_todo(alice, title="mine")

    with pytest.raises(TodoAccessDeniedError):
        service.get_todo_by_id(todo.pk, bob)
    with pytest.raises(TodoNotFoundError):
        service.get_todo_by_id(todo.pk + 1, alice)
    with pytest.raises(TodoAccessDeniedError):
        service.update_todo(todo.pk, bob, title="theirs")
    with pytest.raises(TodoAccessDeniedError):
        service.delete_todo(todo.pk, bob)
    assert Todo.objects.get(pk=todo.pk).title == "mine"


def test_completing_sets_and_reopening_clears_completed_at(
    service: TodoService, alice: User
) -> None:
    todo = service.create_todo(alice, title="t")

    done = service.mark_completed(todo.pk, alice)
    completed_at = done.completed_at
    again = service.mark_completed(todo.pk, alice)
    reopened = service.mark_incomplete(todo.pk, alice)

    assert completed_at is not None
    assert completed_at <= timezone.now()
    assert again.completed_at == completed_at  # completing twice keeps the first time
    assert (reopened.completed, reopened.completed_at) == (False, None)


def test_update_changes_only_given_fields(service: TodoService, alice: User) -> None:
    todo = service.create_todo(alice, title="t", description="d")

    service.update_todo(todo.pk, alice, description="new")

    stored = Todo.objects.get(pk=todo.pk)
    assert (stored.title, stored.description) == ("t", "new")


def test_list_filters_paginates_and_counts(service: TodoService, alice: User, bob: User) -> None:
    ids = [service.create_todo(alice, title=f"t{i}").pk for i in range(5)]
    service.create_todo(bob, title="bob's")
    service.mark_completed(ids[0], alice)

    newest = [t.pk for t in service.list_todos_for_user(alice.pk, limit=2)]
    older = [t.pk for t in service.list_todos_for_user(alice.pk, limit=2, before_id=newest[-1])]
    completed = [t.pk for t in service.list_todos_for_user(alice.pk, completed=True)]

    assert newest == ids[:2:-1][:2] == [ids[4], ids[3]]
    assert older == [ids[2], ids[1]]
    assert completed == [ids[0]]
    assert service.count_todos_for_user(alice.pk) == 5
    assert service.count_todos_for_user(alice.pk, completed=False) == 4


def test_delete(service: TodoService, alice: User) -> None:
    todo = service.create_todo(alice, title="t")

    service.delete_todo(todo.pk, alice)

    assert not Todo.objects.exists()
    with pytest.raises(TodoNotFoundError):
        service.delete_todo(todo.pk, alice)


def test_delete_completed_todos_of_one_user(service: TodoService, alice: User, bob: User) -> None:
    kept = service.create_todo(alice, title="open")
    for owner in (alice, alice, bob):
        todo = service.create_todo(owner, title="done")
        service.mark_completed(todo.pk, owner)

    deleted = service.delete_completed_todos(alice)

    assert deleted == 2
    assert list(Todo.objects.filter(user=alice).values_list("pk", flat=True)) == [kept.pk]
    assert Todo.objects.filter(user=bob, completed=True).count() == 1


def test_the_user_may_be_given_as_its_id(service: TodoService, alice: User, bob: User) -> None:
    """The HTTP layer knows only the caller's id; the answers are the same as for the row."""
    todo = service.create_todo(alice.pk, title="by id")

    assert service.get_todo_by_id(todo.pk, alice.pk) == service.get_todo_by_id(todo.pk, alice)
    assert service.mark_completed(todo.pk, alice.pk).completed is True
    assert [t.pk for t in service.list_todos_for_user(alice.pk, completed=True)] == [todo.pk]
    with pytest.raises(TodoAccessDeniedError):
        service.get_todo_by_id(todo.pk, bob.pk)
    assert service.delete_completed_todos(alice.pk) == 1


def test_a_todo_created_completed_is_stamped(alice: User) -> None:
    """The tutorial creates completed todos directly; the model keeps `completed_at` in step."""
    done = Todo.objects.create(user=alice, title="Completed", completed=True)
    done.refresh_from_db()
    assert done.completed_at is not None

    done.completed = False
    done.save(update_fields=["completed"])
    done.refresh_from_db()
    assert done.completed_at is None


def test_the_limit_holds_when_a_users_creates_race(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each create locks the user's count row, so concurrent ones cannot overshoot the limit."""
    monkeypatch.setenv("TODO_MAX_PER_USER", "5")
    limited = TodoService()
    user = User.objects.create(username="racer")
    for number in range(4):
        limited.create_todo(user, title=f"t{number}")
    start = threading.Barrier(8)

    def create() -> str:
        start.wait()
        try:
            limited.create_todo(user.pk, title="raced")
            return "created"
        except TodoLimitReachedError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        outcomes = sorted(pool.map(lambda _: create(), range(8)))

    assert outcomes == ["created"] + ["refused"] * 7
    assert Todo.objects.filter(user=user).count() == 5
