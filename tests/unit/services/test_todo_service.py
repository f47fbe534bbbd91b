"""TodoService called directly, with the tutorial's calls: a user (or its id) and keywords."""

import pytest

from core.todo.exceptions import TodoAccessDeniedError, TodoNotFoundError
from core.todo.models import Todo
from core.todo.services import TodoService
from core.user.models import User
from infrastructure.ioc import AutoRegisteringContainer
from tests.integration.factories import TestUserFactory


@pytest.fixture
def service(container: AutoRegisteringContainer) -> TodoService:
    return container.resolve(TodoService)


@pytest.fixture
def user(user_factory: TestUserFactory) -> User:
    return user_factory(username="ada", password="password")


@pytest.fixture
def other_user(user_factory: TestUserFactory) -> User:
    return user_factory(username="grace", password="password")


@pytest.mark.django_db(transaction=True)
class TestTodoService:
    def test_create_todo(self, service: TodoService, user: User) -> None:
        todo = service.create_todo(user, title="Draft", description="the first one")

        stored = Todo.objects.get(id=todo.id)
        assert (stored.title, stored.description, stored.completed) == (
            "Draft",
            "the first one",
            False,
        )
        assert stored.user_id == user.id

    def test_get_todo_by_id(self, service: TodoService, user: User) -> None:
        created = service.create_todo(user, title="Find me")

        assert service.get_todo_by_id(created.id, user).title == "Find me"

    def test_a_missing_todo_is_not_found(self, service: TodoService, user: User) -> None:
        with pytest.raises(TodoNotFoundError):
            service.get_todo_by_id(999999, user)

    def test_another_users_todo_is_refused(
        self, service: TodoService, user: User, other_user: User
    ) -> None:
        """The service says why; the HTTP layer answers 404 either way."""
        todo = service.create_todo(user, title="Private")

        with pytest.raises(TodoAccessDeniedError):
            service.get_todo_by_id(todo.id, other_user)

    def test_list_todos_for_user_filters_by_completion(
        self, service: TodoService, user: User, other_user: User
    ) -> None:
        service.create_todo(user, title="Open")
        done = service.create_todo(user, title="Done")
        service.mark_completed(done.id, user)
        service.create_todo(other_user, title="Someone else's")

        everything = service.list_todos_for_user(user)
        completed = service.list_todos_for_user(user, completed=True)
        still_open = service.list_todos_for_user(user, completed=False)

        assert [t.title for t in everything] == ["Done", "Open"]  # newest first
        assert [t.title for t in completed] == ["Done"]
        assert [t.title for t in still_open] == ["Open"]

    def test_update_todo(self, service: TodoService, user: User) -> None:
        todo = service.create_todo(user, title="Before")

        updated = service.update_todo(todo.id, user, title="After", completed=True)

        assert (updated.title, updated.completed) == ("After", True)
        assert updated.completed_at is not None

    def test_mark_completed_then_incomplete(self, service: TodoService, user: User) -> None:
        todo = service.create_todo(user, title="Toggle")

        assert service.mark_completed(todo.id, user).completed is True
        reopened = service.mark_incomplete(todo.id, user)

        assert (reopened.completed, reopened.completed_at) == (False, None)

    def test_delete_todo(self, service: TodoService, user: User) -> None:
        todo = service.create_todo(user, title="Gone soon")

        service.delete_todo(todo.id, user)

        assert not Todo.objects.filter(id=todo.id).exists()

    def test_delete_completed_todos(self, service: TodoService, user: User) -> None:
        service.create_todo(user, title="Keep")
        for title in ("Done 1", "Done 2"):
            service.mark_completed(service.create_todo(user, title=title).id, user)

        assert service.delete_completed_todos(user) == 2
        assert [t.title for t in Todo.objects.filter(user=user)] == ["Keep"]
