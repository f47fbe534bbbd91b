"""Staff-only task endpoints: start a cleanup, poll it; everyone else is turned away."""

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from configs.auth import ThrottleSettings
from delivery.tasks.publishing import ISSUED
from delivery.tasks.registry import TasksRegistry
from infrastructure.ioc import AutoRegisteringContainer
from tests.delivery.http.conftest import GENEROUS, bearer, log_in, sign_up
from tests.delivery.tasks.data import add_todos, make_user, surviving_titles
from tests.harness.servers import free_port

START = "/v1/tasks/todo-cleanup"


def _staff(client: TestClient, username: str = "admin") -> dict[str, str]:
    from core.user.models import User

    sign_up(client, username)
    User.objects.filter(username=username).update(is_staff=True)
    return bearer(log_in(client, username))


def _poll_until_ready(client: TestClient, task_id: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = client.get(f"/v1/tasks/{task_id}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["ready"]:
            return body
        time.sleep(0.1)
    pytest.fail(f"task {task_id} did not finish")


@pytest.mark.usefixtures("celery_worker")
def test_staff_start_a_cleanup_and_read_its_result(client: TestClient) -> None:
    admin = _staff(client)
    owner = make_user("owner")
    add_todos(owner, old=2, open_=1)

    started = client.post(START, headers=admin)

    assert started.status_code == 202, started.text
    body = _poll_until_ready(client, started.json()["task_id"], admin)
    assert body["state"] == "SUCCESS"
    assert body["error"] is None
    assert body["result"]["todos_deleted"] == 2
    assert body["result"]["users_processed"] == 2  # the owner and the admin
    assert surviving_titles(owner) == ["open 0"]


def test_without_a_token_both_endpoints_answer_401(client: TestClient) -> None:
    assert client.post(START).status_code == 401
    assert client.get(f"/v1/tasks/{uuid.uuid4()}").status_code == 401


def test_non_staff_get_403_and_see_no_results(client: TestClient, alice: dict[str, str]) -> None:
    admin = _staff(client)
    task_id = client.post(START, headers=admin).json()["task_id"]

    assert client.post(START, headers=alice).status_code == 403
    assert client.get(f"/v1/tasks/{task_id}", headers=alice).status_code == 403


def test_an_id_nobody_issued_is_404(client: TestClient) -> None:
    admin = _staff(client)

    assert client.get(f"/v1/tasks/{uuid.uuid4()}", headers=admin).status_code == 404


def test_an_issued_id_not_yet_started_reads_queued(
    client: TestClient, container: AutoRegisteringContainer
) -> None:
    admin = _staff(client)
    task_id = str(uuid.uuid4())
    container.resolve(TasksRegistry).todo_cleanup.backend.store_result(task_id, None, ISSUED)

    response = client.get(f"/v1/tasks/{task_id}", headers=admin)

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["ready"]) == ("QUEUED", False)


def test_starting_is_throttled(
    make_client: Callable[..., TestClient], container: AutoRegisteringContainer
) -> None:
    container.register(ThrottleSettings, instance=GENEROUS.model_copy(update={"tasks": "2/m"}))
    client = make_client()
    admin = _staff(client)

    statuses = [client.post(START, headers=admin).status_code for _ in range(3)]

    assert statuses == [202, 202, 429]


def test_an_unreachable_broker_answers_503_quickly(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setenv("CELERY_RESULT_BACKEND", "")
    client = make_client()
    admin = _staff(client)

    started = time.monotonic()
    response = client.post(START, headers=admin)

    assert response.status_code == 503
    assert response.json() == {"detail": "task broker unavailable"}
    assert time.monotonic() - started < 2.5
