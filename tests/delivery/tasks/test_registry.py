"""The container hands out a fully wired registry, one app per container."""

import pytest
from celery import Celery

from delivery.tasks.discovery import TaskControllers, controller_classes
from delivery.tasks.factories import TaskWiringError
from delivery.tasks.registry import TaskName, TaskNotRegisteredError, TasksRegistry
from delivery.tasks.tasks.todo_cleanup import SKIPPED_BECAUSE_RUNNING
from infrastructure.locks import ExpiringLock
from ioc.container import ContainerFactory

pytestmark = pytest.mark.django_db


class _AlwaysHeldLock:
    def acquire(self, name: str, *, owner: str, ttl_s: float) -> bool:
        return False

    def renew(self, name: str, owner: str, *, ttl_s: float) -> bool:
        return False

    def release(self, name: str, owner: str) -> bool:
        return False

    def holder(self, name: str) -> str | None:
        return "someone-else"


def test_resolving_the_registry_registers_every_task_on_one_app() -> None:
    container = ContainerFactory()()
    registry = container.resolve(TasksRegistry)

    assert registry.ping.name == TaskName.PING
    assert registry.todo_cleanup.name == TaskName.TODO_CLEANUP
    assert registry.user_sessions_cleanup.name == TaskName.USER_SESSIONS_CLEANUP
    assert registry.user_sessions_cleanup.app is registry.celery_app
    assert container.resolve(TasksRegistry) is registry
    assert container.resolve(Celery) is registry.celery_app
    assert registry.ping.app is registry.celery_app


def test_a_registry_on_a_bare_app_names_the_missing_task() -> None:
    bare = TasksRegistry(_celery_app=Celery("bare"))

    with pytest.raises(TaskNotRegisteredError, match=r"'todo\.cleanup' is not registered"):
        _ = bare.todo_cleanup


def test_the_session_cleanup_handle_runs_in_process() -> None:
    registry = ContainerFactory()().resolve(TasksRegistry)

    assert registry.user_sessions_cleanup() == {"sessions_deleted": 0}


def test_each_container_s_tasks_call_its_own_controllers() -> None:
    """Celery shares tasks across apps by default; ours must not leak into a later container."""
    first = ContainerFactory()().resolve(TasksRegistry)
    overridden = ContainerFactory()()
    overridden.register(ExpiringLock, instance=_AlwaysHeldLock())
    second = overridden.resolve(TasksRegistry)

    assert second.todo_cleanup()["skipped"] == SKIPPED_BECAUSE_RUNNING
    assert first.todo_cleanup()["skipped"] is None


def test_every_controller_in_the_tasks_package_is_found_and_registered() -> None:
    found = {cls.__name__ for cls in controller_classes()}

    assert found == {
        "EmbeddedBrokerTaskController",
        "PingTaskController",
        "RefreshSessionCleanupTaskController",
        "TodoCleanupTaskController",
    }
    app = ContainerFactory()().resolve(TasksRegistry).celery_app
    assert {name.value for name in TaskName} <= set(app.tasks)


def test_a_task_name_without_a_task_stops_the_app_naming_it() -> None:
    container = ContainerFactory()()
    container.register(TaskControllers, instance=TaskControllers([]))  # only the fields remain

    with pytest.raises(TaskWiringError) as refused:
        container.resolve(TasksRegistry)

    assert "no task registered for maintenance.prune_embedded_broker, user.sessions.cleanup" in (
        str(refused.value)
    )
    assert "src/delivery/tasks/tasks/" in str(refused.value)
