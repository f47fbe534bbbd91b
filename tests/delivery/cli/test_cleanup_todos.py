"""`manage.py cleanup_todos`: queue the cleanup, maybe wait for it, fail clearly with no broker."""

import io
import json
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from configs.paths import ROOT_DIR
from delivery.tasks.tasks.todo_cleanup import LOCK_NAME, SKIPPED_BECAUSE_RUNNING
from infrastructure.locks import ExpiringLock
from ioc.container import ContainerFactory
from tests.delivery.tasks.data import add_todos, make_user, surviving_titles
from tests.delivery.tasks.worker import CeleryWorker, subprocess_env
from tests.harness.servers import free_port

pytestmark = pytest.mark.usefixtures("transactional_db", "celery_worker")


def test_wait_prints_the_result(celery_worker: CeleryWorker) -> None:
    alice = make_user("alice")
    add_todos(alice, old=2, open_=1)
    out = io.StringIO()

    call_command("cleanup_todos", "--wait", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("queued todo.cleanup as task ")
    result = json.loads(lines[-1])
    assert (result["users_processed"], result["todos_deleted"]) == (1, 2)
    assert surviving_titles(alice) == ["open 0"]


def test_without_wait_it_only_queues() -> None:
    alice = make_user("alice")
    add_todos(alice, old=1)
    out = io.StringIO()

    call_command("cleanup_todos", stdout=out)

    assert out.getvalue().startswith("queued todo.cleanup as task ")
    deadline = time.monotonic() + 30
    while surviving_titles(alice):  # the worker gets to it on its own
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_an_unreachable_broker_is_a_clear_error_and_a_failing_exit() -> None:
    broker = f"redis://127.0.0.1:{free_port()}/0"
    env = subprocess_env(CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND="")

    started = time.monotonic()
    command = subprocess.run(
        [sys.executable, "src/manage.py", "cleanup_todos", "--wait"],
        cwd=ROOT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert command.returncode == 1
    assert f"the task broker {broker} is unreachable" in command.stderr
    assert "Is the broker running" in command.stderr
    assert time.monotonic() - started < 15  # mostly interpreter and Django start-up


def test_wait_fails_when_the_run_was_skipped_because_another_runs() -> None:
    lock = ContainerFactory()().resolve(ExpiringLock)
    assert lock.acquire(LOCK_NAME, owner="the-other-run", ttl_s=60)
    out = io.StringIO()
    try:
        with pytest.raises(CommandError, match=r"skipped: another cleanup is running \(run the-o"):
            call_command("cleanup_todos", "--wait", stdout=out)
    finally:
        lock.release(LOCK_NAME, "the-other-run")

    result = json.loads(out.getvalue().splitlines()[-1])
    assert (result["skipped"], result["blocked_by"]) == (SKIPPED_BECAUSE_RUNNING, "the-other-run")
