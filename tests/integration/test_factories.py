"""The test kit itself: what each factory promises, on both backends."""

import threading
from datetime import timedelta

import pytest
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.db import connection
from django.utils import timezone

from configs.tasks import TodoCleanupSettings
from core.todo.models import Todo
from core.user.models import User
from delivery.tasks.registry import TasksRegistry
from infrastructure.ioc import AutoRegisteringContainer
from ioc.container import ContainerFactory
from tests.conftest import backend
from tests.integration.factories import (
    QUEUE_PREFIX,
    TestCeleryWorkerFactory,
    TestClientFactory,
    TestTasksRegistryFactory,
    TestUserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_users_get_distinct_defaults_and_a_working_password(user_factory: TestUserFactory) -> None:
    first, second = user_factory(), user_factory(password="password")
    staff = user_factory(username="root", email="", is_staff=True)

    assert first.username != second.username
    assert first.email != second.email
    assert User.objects.get(pk=second.pk).check_password("password")
    assert (staff.email, staff.is_staff) == ("", True)


def test_a_client_is_signed_in_only_when_given_a_user(
    test_client_factory: TestClientFactory, user_factory: TestUserFactory
) -> None:
    user = user_factory(username="ada")

    with test_client_factory(auth_for_user=user) as signed_in, test_client_factory() as anonymous:
        me = signed_in.get("/v1/users/me")
        nobody = anonymous.get("/v1/users/me")

    assert (me.status_code, me.json()["username"]) == (200, "ada")
    assert nobody.status_code == 401


def test_the_registry_is_the_containers_and_fully_wired(
    container: AutoRegisteringContainer, tasks_registry_factory: TestTasksRegistryFactory
) -> None:
    registry = tasks_registry_factory()

    assert registry is container.resolve(TasksRegistry)
    assert registry.ping() == "pong"  # called in process: real controllers behind each handle
    assert registry.todo_cleanup()["users_processed"] == 0


def test_each_container_sends_its_tasks_to_a_queue_of_its_own(
    container: AutoRegisteringContainer,
) -> None:
    """Another worker on the broker (another test's) must not take this test's tasks."""
    ours = container.resolve(TasksRegistry).celery_app
    theirs = TestTasksRegistryFactory(ContainerFactory()())().celery_app

    queues = {app.amqp.router.route({}, "todo.cleanup")["queue"].name for app in (ours, theirs)}

    assert len(queues) == 2
    assert all(queue.startswith(QUEUE_PREFIX) for queue in queues)


def test_the_worker_runs_the_containers_controllers_with_its_overrides(
    container: AutoRegisteringContainer,
    user_factory: TestUserFactory,
    celery_worker_factory: TestCeleryWorkerFactory,
    tasks_registry_factory: TestTasksRegistryFactory,
) -> None:
    container.register(
        TodoCleanupSettings, instance=TodoCleanupSettings(retention=timedelta(days=1))
    )
    user = user_factory()
    Todo.objects.create(user=user, title="done last week", completed=True)
    Todo.objects.filter(user=user).update(completed_at=timezone.now() - timedelta(days=7))
    Todo.objects.create(user=user, title="done just now", completed=True)

    with celery_worker_factory():
        result = tasks_registry_factory().todo_cleanup.delay().get(timeout=10)

    assert result["todos_deleted"] == 1
    assert list(Todo.objects.values_list("title", flat=True)) == ["done just now"]


def test_the_worker_is_gone_after_the_block(
    celery_worker_factory: TestCeleryWorkerFactory, tasks_registry_factory: TestTasksRegistryFactory
) -> None:
    registry = tasks_registry_factory()
    backends_before = _other_database_backends()

    with celery_worker_factory():
        assert registry.todo_cleanup.delay().get(timeout=10)["todos_deleted"] == 0

    assert "celery-worker" not in {thread.name for thread in threading.enumerate()}
    assert _other_database_backends() <= backends_before  # the worker closed its connection
    unanswered = registry.ping.delay()
    try:  # nobody else consumes this test's queue either
        with pytest.raises(CeleryTimeoutError):
            unanswered.get(timeout=0.5)
    finally:
        registry.celery_app.control.purge()


def _other_database_backends() -> int:
    if backend() != "postgres":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0
