"""What real processes export and log: the API, a worker and Beat, as `make run` starts them.

Spans reach an OTLP/HTTP receiver in this process in the wire format (opentelemetry-proto), so
these tests see what any collector would.
"""

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness.otlp_receiver import ReceivedSpan
from tests.harness.servers import RedisServer
from tests.infrastructure.observability.stack import Stack, running_stack

PASSWORD = "observed-horse-battery-7"


@pytest.fixture(scope="module")
def stack(
    django_db_setup: None, django_db_blocker: Any, redis_server: RedisServer | None
) -> Iterator[Stack]:
    scratch = Path(os.environ["TEST_SCRATCH_DIR"]) / "observed"
    with running_stack(scratch, redis_server) as running:
        yield running


@pytest.fixture
def staff(stack: Stack, transactional_db: None) -> dict[str, str]:
    """A staff user signed up and logged in through the API process."""
    from core.user.models import User

    with httpx.Client(base_url=stack.api.base_url, timeout=30) as client:
        body = {"username": "observer", "email": "observer@example.com", "password": PASSWORD}
        assert client.post("/v1/users/", json=body).status_code == 201
        User.objects.filter(username="observer").update(is_staff=True)
        login = client.post("/v1/users/me/token", json={"username": "observer",
                                                         "password": PASSWORD})  # fmt: skip
        assert login.status_code == 200, login.text
        tokens: dict[str, str] = login.json()
    return tokens


def _by_name(spans: list[ReceivedSpan], name: str) -> list[ReceivedSpan]:
    return [span for span in spans if span.name == name]


def test_a_request_that_queues_the_cleanup_and_the_run_are_one_trace(
    stack: Stack, staff: dict[str, str]
) -> None:
    auth = {"Authorization": f"Bearer {staff['access_token']}", "X-Request-ID": "queue-it-1"}
    with httpx.Client(base_url=stack.api.base_url, timeout=30) as client:
        queued = client.post("/v1/tasks/todo-cleanup", headers=auth)
    assert queued.status_code == 202, queued.text

    def the_trace(spans: list[ReceivedSpan]) -> list[ReceivedSpan]:
        request = [s for s in _by_name(spans, "POST /v1/tasks/todo-cleanup")
                   if s.attributes.get("http.request.id") == "queue-it-1"]  # fmt: skip
        if not request:
            return []
        trace = [s for s in spans if s.trace_id == request[0].trace_id]
        return trace if _by_name(trace, "run/todo.cleanup") else []

    trace = stack.receiver.wait_for(the_trace)
    services = {span.name: span.service for span in trace}
    assert services["POST /v1/tasks/todo-cleanup"] == "fastapi"
    assert services["apply_async/todo.cleanup"] == "fastapi"
    assert services["run/todo.cleanup"] == "celery-worker"
    (published,) = _by_name(trace, "apply_async/todo.cleanup")
    (run,) = _by_name(trace, "run/todo.cleanup")
    assert run.parent_id == published.span_id
    assert any(s.service == "celery-worker" and "db.statement" in s.attributes for s in trace)
    assert run.resource["deployment.environment.name"] == "test"
    assert run.resource["service.version"]


def test_beat_and_the_task_it_sends_are_one_trace(stack: Stack) -> None:
    def linked(spans: list[ReceivedSpan]) -> tuple[ReceivedSpan, ReceivedSpan] | None:
        sent = {s.span_id: s for s in _by_name(spans, "apply_async/ping")
                if s.service == "celery-beat"}  # fmt: skip
        for run in _by_name(spans, "run/ping"):
            if run.parent_id in sent:
                return sent[run.parent_id], run
        return None

    sent, run = stack.receiver.wait_for(linked)

    assert sent.trace_id == run.trace_id
    assert sent.parent_id == ""  # Beat starts the trace
    assert run.service == "celery-worker"


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_request_lines_carry_the_request_id_and_no_secret(
    stack: Stack, staff: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {staff['access_token']}", "X-Request-ID": "look-for-me"}
    with httpx.Client(base_url=stack.api.base_url, timeout=30) as client:
        answer = client.get("/v1/users/me", headers=headers)
        invented = client.get(
            "/v1/users/me", headers={**headers, "X-Request-ID": "bad id <script>"}
        )
    assert answer.headers["x-request-id"] == "look-for-me"
    assert invented.headers["x-request-id"] != "bad id <script>"
    time.sleep(0.5)  # the line is written once the response is sent

    log = stack.log("api")
    lines = [line for line in _json_lines(log) if line["logger"] == "todo.http"]
    (mine,) = [line for line in lines if line.get("request_id") == "look-for-me"]
    assert mine["method"] == "GET"
    assert mine["route"] == "/v1/users/me"
    assert mine["status"] == 200
    assert mine["duration_ms"] > 0
    assert mine["user_id"] > 0
    assert len(mine["trace_id"]) == 32
    assert any(line.get("request_id") == invented.headers["x-request-id"] for line in lines)
    for secret in (PASSWORD, staff["access_token"], staff["refresh_token"]):
        assert secret not in log
        assert secret not in stack.log("worker")


def test_each_task_run_is_one_line_and_counted_on_the_worker_port(
    stack: Stack, staff: dict[str, str]
) -> None:
    auth = {"Authorization": f"Bearer {staff['access_token']}"}
    with httpx.Client(base_url=stack.api.base_url, timeout=30) as client:
        task_id = client.post("/v1/tasks/todo-cleanup", headers=auth).json()["task_id"]
        deadline = time.monotonic() + 30
        while not client.get(f"/v1/tasks/{task_id}", headers=auth).json()["ready"]:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        api_metrics = client.get("/metrics").text
    time.sleep(0.5)

    runs = [line for line in _json_lines(stack.log("worker"))
            if line["logger"] == "todo.tasks" and line.get("task_id") == task_id]  # fmt: skip
    assert len(runs) == 1
    assert runs[0]["task"] == "todo.cleanup"
    assert runs[0]["outcome"] == "success"
    assert runs[0]["duration_ms"] > 0
    scraped = httpx.get(stack.worker_metrics_url, timeout=10).text
    assert _sample(scraped, 'celery_task_runs_total{outcome="success",task="todo.cleanup"}') >= 1
    assert _sample(scraped, "todo_cleanup_last_success_timestamp_seconds") > time.time() - 60
    assert _sample(scraped, 'celery_task_runs_total{outcome="success",task="ping"}') >= 1
    route = 'method="POST",route="/v1/tasks/todo-cleanup",status="202"'
    assert _sample(api_metrics, "http_requests_total{" + route + "}") >= 1
    assert "celery_task_runs_total" not in api_metrics


def _sample(exposition: str, series: str) -> float:
    for line in exposition.splitlines():
        name, _, value = line.rpartition(" ")
        if name == series:
            return float(value)
    raise AssertionError(f"{series} not in:\n{exposition}")
