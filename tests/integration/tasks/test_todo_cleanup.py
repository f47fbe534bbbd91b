"""`todo.cleanup` through a real worker on the configured broker, as the tutorial runs it."""

import pytest

from core.todo.models import Todo
from core.user.models import User
from tests.integration.factories import (
    TestCeleryWorkerFactory,
    TestTasksRegistryFactory,
    TestUserFactory,
)


@pytest.fixture
def user(user_factory: TestUserFactory) -> User:
    return user_factory(username="ada", password="password")


@pytest.mark.django_db(transaction=True)
class TestTodoCleanupTask:
    def test_cleanup_deletes_completed_todos_and_keeps_open_ones(
        self,
        celery_worker_factory: TestCeleryWorkerFactory,
        tasks_registry_factory: TestTasksRegistryFactory,
        user: User,
    ) -> None:
        Todo.objects.create(user=user, title="Keep", completed=False)
        Todo.objects.create(user=user, title="Delete", completed=True)
        registry = tasks_registry_factory()

        with celery_worker_factory():
            result = registry.todo_cleanup.delay().get(timeout=10)

        assert result["todos_deleted"] == 1
        assert result["users_processed"] == 1
        assert [t.title for t in Todo.objects.filter(user=user)] == ["Keep"]

    def test_inactive_users_keep_their_todos(
        self,
        celery_worker_factory: TestCeleryWorkerFactory,
        tasks_registry_factory: TestTasksRegistryFactory,
        user_factory: TestUserFactory,
        user: User,
    ) -> None:
        away = user_factory(username="away", is_active=False)
        Todo.objects.create(user=away, title="Done, but kept", completed=True)
        Todo.objects.create(user=user, title="Done", completed=True)

        with celery_worker_factory():
            result = tasks_registry_factory().todo_cleanup.delay().get(timeout=10)

        assert result["todos_deleted"] == 1
        assert list(Todo.objects.values_list("title", flat=True)) == ["Done, but kept"]

    def test_nothing_to_clean(
        self,
        celery_worker_factory: TestCeleryWorkerFactory,
        tasks_registry_factory: TestTasksRegistryFactory,
        user: User,
    ) -> None:
        Todo.objects.create(user=user, title="Open")

        with celery_worker_factory():
            result = tasks_registry_factory().todo_cleanup.delay().get(timeout=10)

        assert result["todos_deleted"] == 0
        assert Todo.objects.count() == 1
