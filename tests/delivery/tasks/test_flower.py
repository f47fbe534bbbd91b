"""Flower, started by `bin/flower`, sees the session's real worker run a cleanup.

On every broker of the session: the embedded one, Redis, RabbitMQ. Its API asks for the basic-auth
password, which appears neither in its log nor on its command line. On the embedded broker, the
event queue Flower leaves behind when it stops is dropped by the next task's events.
"""

import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from configs.tasks import CelerySettings
from delivery.tasks.registry import TasksRegistry
from infrastructure.celery.embedded import EmbeddedFolders
from tests.conftest import backend
from tests.delivery.tasks.worker import CeleryWorker, subprocess_env
from tests.harness.flower import ROOT_DIR, FlowerServer

PASSWORD = "flower-password-never-printed"
SEEN_TIMEOUT_S = 30.0


def _wait_receiving_events(client: httpx.Client, registry: TasksRegistry) -> None:
    """Flower answers before its event receiver listens, and events sent before then are lost
    (Redis fanout is publish/subscribe): `ping`s are sent until Flower lists one."""
    deadline = time.monotonic() + SEEN_TIMEOUT_S
    while time.monotonic() < deadline:
        ping = registry.ping.delay()
        ping.get(timeout=10)
        if _listed(client, "ping", ping.id, timeout_s=1.0) is not None:
            return
    pytest.fail(f"Flower listed no ping within {SEEN_TIMEOUT_S:g} s")


def _listed(
    client: httpx.Client, name: str, task_id: str, *, timeout_s: float
) -> dict[str, Any] | None:
    """The task as Flower's API lists it, once Flower has its result from the events."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        listed = client.get("/api/tasks", params={"taskname": name})
        listed.raise_for_status()
        task = listed.json().get(task_id)
        if task is not None and task["state"] == "SUCCESS":
            return dict(task)
        time.sleep(0.1)
    return None


def test_flower_lists_a_cleanup_run_from_its_events(
    registry: TasksRegistry, celery_worker: CeleryWorker, tmp_path: Path
) -> None:
    env = subprocess_env(FLOWER_BASIC_AUTH=f"ops:{PASSWORD}")
    with FlowerServer(env, log_path=tmp_path / "flower.log") as flower:
        client = httpx.Client(base_url=flower.base_url, auth=("ops", PASSWORD), timeout=10)
        with client:
            _wait_receiving_events(client, registry)
            result = registry.todo_cleanup.delay()
            outcome = result.get(timeout=30)
            task = _listed(client, "todo.cleanup", result.id, timeout_s=SEEN_TIMEOUT_S)
            anonymous = httpx.get(f"{flower.base_url}/api/tasks", timeout=10)
            command_line = Path(f"/proc/{flower.pid}/cmdline").read_bytes()

    assert task is not None, f"Flower did not list cleanup {result.id} as succeeded"
    assert task["name"] == "todo.cleanup"
    assert task["sent"] is not None  # the publisher's event: task_send_sent_event
    assert task["worker"].startswith("tests-")
    assert str(outcome["todos_deleted"]) in task["result"]
    assert anonymous.status_code == 401
    assert PASSWORD.encode() not in command_line
    assert PASSWORD not in (tmp_path / "flower.log").read_text()
    if backend() == "sqlite":
        _no_queue_left_behind(registry)


def _no_queue_left_behind(registry: TasksRegistry) -> None:
    """Flower exits without deleting its event queue; the embedded broker drops it by itself."""
    folders = EmbeddedFolders(CelerySettings().embedded_dir)
    assert "celeryev." in (folders.control / "celeryev.exchange").read_text()  # Flower's, left

    assert registry.ping.delay().get(timeout=10) == "pong"  # its events find the queue dead

    assert "celeryev." not in (folders.control / "celeryev.exchange").read_text()
    assert not list(folders.queue.glob("*.celeryev.*.msg"))


def test_bin_flower_refuses_an_open_address_or_a_malformed_password_without_printing_it() -> None:
    open_address = {"FLOWER_ADDRESS": "0.0.0.0", "FLOWER_BASIC_AUTH": ""}  # noqa: S104
    malformed = {"FLOWER_BASIC_AUTH": f"only-{PASSWORD}"}
    command = [str(ROOT_DIR / "bin" / "flower")]
    answers = [
        subprocess.run(
            command, env=subprocess_env(**env), capture_output=True, text=True, timeout=60
        )
        for env in (open_address, malformed)
    ]

    assert [answer.returncode for answer in answers] == [1, 1]
    assert "set FLOWER_BASIC_AUTH=user:password too" in answers[0].stderr
    assert "FLOWER_BASIC_AUTH must be user:password" in answers[1].stderr
    assert all(PASSWORD not in answer.stdout + answer.stderr for answer in answers)
