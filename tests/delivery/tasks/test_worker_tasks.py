"""`ping` and `todo.cleanup` through a real worker in another process."""

import subprocess
import sys
import time
import uuid

import pytest
from celery.result import AsyncResult

from configs.paths import ROOT_DIR
from delivery.tasks.registry import TasksRegistry
from delivery.tasks.tasks.todo_cleanup import LOCK_NAME, SKIPPED_BECAUSE_RUNNING
from infrastructure.ioc import AutoRegisteringContainer
from infrastructure.locks import ExpiringLock
from tests.delivery.tasks.data import add_todos, make_user, surviving_titles
from tests.delivery.tasks.database import RefuseDeletes, TableHold
from tests.delivery.tasks.worker import subprocess_env

SEED_SNIPPET = """\
from ioc.container import ContainerFactory
from delivery.tasks.registry import TasksRegistry

# Create container and get registry
container = ContainerFactory()()
registry = container.resolve(TasksRegistry)

# Trigger the cleanup task
result = registry.todo_cleanup.delay()

# Wait for result
print(result.get(timeout=30))
"""


def test_ping_answers_pong(registry: TasksRegistry) -> None:
    assert registry.ping.delay().get(timeout=10) == "pong"


def test_cleanup_deletes_only_old_completed_todos_of_active_users(registry: TasksRegistry) -> None:
    alice, bob, dave, erin = (make_user(n) for n in ("alice", "bob", "dave", "erin"))
    carol = make_user("carol", active=False)
    add_todos(alice, old=2, recent=1, open_=1)
    add_todos(bob, old=1, open_=2)
    add_todos(carol, old=2)
    add_todos(erin, old=3)

    result = registry.todo_cleanup.delay().get(timeout=30)

    assert result["users_processed"] == 4  # alice, bob, dave, erin: two batches of 3
    assert result["todos_deleted"] == 6
    assert (result["errors"], result["error_count"], result["skipped"]) == ([], 0, None)
    assert surviving_titles(alice) == ["open 0", "recent 0"]
    assert surviving_titles(bob) == ["open 0", "open 1"]
    assert surviving_titles(carol) == ["old 0", "old 1"]  # inactive: untouched
    assert surviving_titles(dave) == surviving_titles(erin) == []


def test_cleanup_is_idempotent(registry: TasksRegistry) -> None:
    alice = make_user("alice")
    add_todos(alice, old=2, recent=1, open_=1)

    first = registry.todo_cleanup.delay().get(timeout=30)
    second = registry.todo_cleanup.delay().get(timeout=30)

    assert (first["todos_deleted"], second["todos_deleted"]) == (2, 0)
    assert second["users_processed"] == 1
    assert surviving_titles(alice) == ["open 0", "recent 0"]


def test_seed_snippet_works_verbatim_in_the_django_shell(registry: TasksRegistry) -> None:
    alice, bob = make_user("alice"), make_user("bob")
    add_todos(alice, old=2, open_=1)
    add_todos(bob, old=1)

    shell = subprocess.run(
        [sys.executable, "src/manage.py", "shell"],
        input=SEED_SNIPPET,
        cwd=ROOT_DIR,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert shell.returncode == 0, shell.stderr
    printed = shell.stdout.strip().splitlines()[-1]
    assert printed.startswith("{'users_processed': 2, 'todos_deleted': 3, "), shell.stdout
    assert surviving_titles(alice) == ["open 0"]


def test_fan_out_over_id_ranges_reports_the_totals(registry: TasksRegistry) -> None:
    users = [make_user(f"user{i:02}") for i in range(25)]  # threshold 10, 4 users per subtask
    for user in users:
        add_todos(user, old=2, open_=1)
    sleeper = make_user("sleeper", active=False)
    add_todos(sleeper, old=1)

    result = registry.todo_cleanup.delay().get(timeout=60)

    assert result["subtasks"] == 7
    assert (result["users_processed"], result["todos_deleted"]) == (25, 50)
    assert all(surviving_titles(user) == ["open 0"] for user in users)
    assert surviving_titles(sleeper) == ["old 0"]
    # The chord's callback released the lock: the next run is not skipped.
    assert registry.todo_cleanup.delay().get(timeout=60)["skipped"] is None


def test_a_second_run_is_skipped_while_one_is_running(
    registry: TasksRegistry, hold_todo_table: TableHold
) -> None:
    alice = make_user("alice")
    add_todos(alice, old=2)

    with hold_todo_table():  # the first run blocks at its first DELETE, holding the cleanup lock
        first = registry.todo_cleanup.delay()
        _wait_for_state(first, "PROGRESS")
        assert first.info["users_processed"] == 0
        second = registry.todo_cleanup.delay().get(timeout=10)
        assert second["skipped"] == SKIPPED_BECAUSE_RUNNING
        assert second["todos_deleted"] == 0
        assert not first.ready()

    assert first.get(timeout=30)["todos_deleted"] == 2


def test_a_crashed_run_blocks_the_next_only_until_its_lock_expires(
    registry: TasksRegistry, container: AutoRegisteringContainer
) -> None:
    lock = container.resolve(ExpiringLock)  # what a run that died would have left behind
    assert lock.acquire(LOCK_NAME, owner="a-run-that-died", ttl_s=3.0)
    # Taken by now: its 3 s run out by then, however long the call took (a first connection).
    expires_at = time.monotonic() + 3.0

    skipped = registry.todo_cleanup.delay().get(timeout=10)
    assert (skipped["skipped"], skipped["blocked_by"]) == (
        SKIPPED_BECAUSE_RUNNING,
        "a-run-that-died",
    )
    time.sleep(max(0.0, expires_at - time.monotonic()) + 0.1)
    assert registry.todo_cleanup.delay().get(timeout=10)["skipped"] is None


def test_a_run_delivered_again_takes_its_lock_back_while_other_runs_are_refused(
    registry: TasksRegistry, container: AutoRegisteringContainer
) -> None:
    """What a run whose worker died leaves: its lock, held in its own task id's name."""
    alice = make_user("alice")
    add_todos(alice, old=2, open_=1)
    lock = container.resolve(ExpiringLock)
    dead_run = str(uuid.uuid4())
    assert lock.acquire(LOCK_NAME, owner=dead_run, ttl_s=600)

    other = registry.todo_cleanup.delay().get(timeout=10)
    again = registry.todo_cleanup.apply_async(task_id=dead_run).get(timeout=10)

    assert (other["skipped"], other["blocked_by"]) == (SKIPPED_BECAUSE_RUNNING, dead_run)
    assert other["todos_deleted"] == 0
    assert (again["skipped"], again["blocked_by"], again["todos_deleted"]) == (None, None, 2)
    assert lock.holder(LOCK_NAME) is None  # released at the end of the run
    assert surviving_titles(alice) == ["open 0"]


def test_a_failing_user_is_reported_and_the_others_are_cleaned(
    registry: TasksRegistry, refuse_deletes_of: RefuseDeletes
) -> None:
    users = [make_user(f"user{i}") for i in range(5)]
    for user in users:
        add_todos(user, old=2, open_=1)
    bad = users[1]

    with refuse_deletes_of(bad):
        result = registry.todo_cleanup.delay().get(timeout=30)

    assert [e["user_id"] for e in result["errors"]] == [bad.pk]
    assert "refused by test trigger" in result["errors"][0]["error"]
    assert (result["users_processed"], result["todos_deleted"], result["error_count"]) == (5, 8, 1)
    assert surviving_titles(bad) == ["old 0", "old 1", "open 0"]
    assert all(surviving_titles(u) == ["open 0"] for u in users if u != bad)


def _wait_for_state(result: "AsyncResult[object]", state: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while result.state != state:
        if time.monotonic() > deadline:
            pytest.fail(f"task stayed {result.state}, expected {state}")
        time.sleep(0.05)
