"""The cleanup called directly (as a benchmark or a script would), against the real database."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from configs.tasks import TodoCleanupSettings
from delivery.tasks.tasks.todo_cleanup import TodoCleanupTaskController
from ioc.container import ContainerFactory
from tests.delivery.tasks.data import add_todos, make_user, surviving_titles

pytestmark = pytest.mark.django_db


def _controller(**settings: object) -> TodoCleanupTaskController:
    container = ContainerFactory()()
    container.register(TodoCleanupSettings, instance=TodoCleanupSettings(**settings))  # type: ignore[arg-type]
    return container.resolve(TodoCleanupTaskController)


def test_zero_retention_deletes_every_completed_todo_of_active_users() -> None:
    alice, carol = make_user("alice"), make_user("carol", active=False)
    add_todos(alice, old=1, recent=2, open_=1)
    add_todos(carol, recent=1)

    result = _controller(retention=timedelta(0)).cleanup_completed_todos()

    assert (result["users_processed"], result["todos_deleted"]) == (1, 3)
    assert surviving_titles(alice) == ["open 0"]
    assert surviving_titles(carol) == ["recent 0"]


def test_retention_keeps_recently_completed_todos() -> None:
    alice = make_user("alice")
    add_todos(alice, old=1, recent=1)

    result = _controller(retention=timedelta(days=1)).cleanup_completed_todos()

    assert result["todos_deleted"] == 1
    assert surviving_titles(alice) == ["recent 0"]


def test_statements_grow_with_batches_not_with_users() -> None:
    for i in range(40):
        add_todos(make_user(f"user{i:02}"), old=2, open_=1)
    controller = _controller(batch_size=10)

    with CaptureQueriesContext(connection) as queries:
        result = controller.cleanup_completed_todos()

    assert (result["users_processed"], result["todos_deleted"]) == (40, 80)
    # Per batch: one SELECT of ids and one DELETE; one more SELECT finds the walk's end.
    assert len(queries) <= 2 * 4 + 1, [q["sql"] for q in queries]


def test_a_direct_run_releases_its_lock() -> None:
    controller = _controller()

    assert controller.cleanup_completed_todos()["skipped"] is None
    assert controller.cleanup_completed_todos()["skipped"] is None
