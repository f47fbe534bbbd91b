"""The spans one request, one transaction and one task leave, read from an in-memory exporter."""

import json
import time
from typing import Any

import pytest
from django.db import DatabaseError, connection
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from core.todo.services import TodoService
from core.user.models import User
from infrastructure.delivery.controllers import TransactionController
from infrastructure.ioc import AutoRegisteringContainer
from infrastructure.observability.spans import span
from tests.infrastructure.observability.conftest import Spans, trace_id
from tests.integration.factories import (
    DEFAULT_PASSWORD,
    TestCeleryWorkerFactory,
    TestClientFactory,
    TestUserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _attributes(found: ReadableSpan) -> dict[str, Any]:
    return dict(found.attributes or {})


def _ancestors(found: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    names = []
    parent = found.parent
    while parent is not None and parent.span_id in by_id:
        found = by_id[parent.span_id]
        names.append(found.name)
        parent = found.parent
    return names


def test_one_request_is_a_server_span_with_its_sql_inside(
    spans: Spans, test_client_factory: TestClientFactory, user_factory: TestUserFactory
) -> None:
    client = test_client_factory(auth_for_user=user_factory())
    spans.clear()

    response = client.get("/v1/todos", headers={"X-Request-ID": "trace-me-1"})

    assert response.status_code == 200
    server = spans.one("GET /v1/todos")
    assert server.kind == SpanKind.SERVER
    attributes = _attributes(server)
    assert attributes["http.route"] == "/v1/todos"
    assert attributes["http.response.status_code"] == 200
    assert attributes["http.request.method"] == "GET"
    assert attributes["http.request.id"] == "trace-me-1" == response.headers["x-request-id"]
    statements = [s for s in spans.all() if "db.statement" in _attributes(s)]
    assert any("todo_todo" in _attributes(s)["db.statement"] for s in statements)
    by_id = {s.context.span_id: s for s in spans.all() if s.context is not None}
    for statement in statements:
        assert trace_id(statement) == trace_id(server)
        assert "GET /v1/todos" in _ancestors(statement, by_id)
    assert _attributes(statements[0])["db.system"] == connection.vendor


def test_a_callers_traceparent_is_continued(
    spans: Spans, test_client_factory: TestClientFactory, user_factory: TestUserFactory
) -> None:
    client = test_client_factory(auth_for_user=user_factory())
    caller_trace, caller_span = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"

    client.get("/v1/todos/999999", headers={"traceparent": f"00-{caller_trace}-{caller_span}-01"})

    server = spans.one("GET /v1/todos/{todo_id}")
    assert format(trace_id(server), "032x") == caller_trace
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == caller_span
    assert _attributes(server)["http.response.status_code"] == 404


def test_health_the_probes_and_metrics_get_no_span(
    spans: Spans, test_client_factory: TestClientFactory
) -> None:
    """An orchestrator asks for the probes every few seconds: `/v1/health` excludes them too."""
    client = test_client_factory()
    spans.clear()

    for path in ("/v1/health", "/v1/health/live", "/v1/health/ready", "/metrics"):
        assert client.get(path).status_code == 200, path

    assert not [s for s in spans.all() if s.kind == SpanKind.SERVER]


def test_a_login_leaves_neither_password_nor_token_in_any_span(
    spans: Spans, test_client_factory: TestClientFactory, user_factory: TestUserFactory
) -> None:
    user_factory(username="carol")
    client = test_client_factory()
    login = client.post(
        "/v1/users/me/token", json={"username": "carol", "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 200
    tokens = login.json()
    client.get("/v1/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    with span(
        "scrubbing check", password="p4ss-w0rd", authorization="Bearer b34r", lock_token="l0ck"
    ):
        pass

    exported = json.dumps([_attributes(s) for s in spans.all()], default=str)

    assert "POST /v1/users/me/token" in spans.names()
    for secret in (DEFAULT_PASSWORD, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in exported
    for value in ("p4ss-w0rd", "b34r", "l0ck"):
        assert value not in exported


class _Writes(TransactionController):
    def register(self, registry: Any) -> None:
        pass

    def rename(self, user_id: int, name: str) -> None:
        User.objects.filter(pk=user_id).update(first_name=name)

    def fail(self, user_id: int) -> None:
        User.objects.filter(pk=user_id).update(first_name="never")
        raise DatabaseError("refused")


def test_every_transaction_controller_method_is_a_controller_transaction_span(
    spans: Spans, user_factory: TestUserFactory
) -> None:
    user = user_factory()
    controller = _Writes()

    controller.rename(user.pk, "Ada")
    with pytest.raises(DatabaseError):
        controller.fail(user.pk)

    committed, rolled_back = spans.named("controller transaction")
    assert _attributes(committed)["controller"] == "_Writes"
    assert _attributes(committed)["method"] == "rename"
    assert _attributes(committed)["db.transaction.outcome"] == "commit"
    assert _attributes(rolled_back)["method"] == "fail"
    assert _attributes(rolled_back)["db.transaction.outcome"] == "rollback"
    assert _attributes(committed)["duration_ms"] >= 0
    assert User.objects.get(pk=user.pk).first_name == "Ada"


def test_delete_completed_todos_is_a_span_with_the_user_and_the_count(
    spans: Spans, user_factory: TestUserFactory
) -> None:
    user = user_factory()
    service = TodoService()
    for title in ("a", "b", "c"):
        todo = service.create_todo(user, title=title)
        if title != "c":
            service.mark_completed(todo.pk, user)

    assert service.delete_completed_todos(user) == 2

    deleted = spans.one("delete_completed_todos")
    assert _attributes(deleted)["user_id"] == user.pk
    assert _attributes(deleted)["deleted_count"] == 2


def test_a_cleanup_run_by_a_real_worker_shares_the_trace_of_the_request_that_queued_it(
    spans: Spans,
    container: AutoRegisteringContainer,
    test_client_factory: TestClientFactory,
    user_factory: TestUserFactory,
    celery_worker_factory: TestCeleryWorkerFactory,
) -> None:
    staff = user_factory(username="root", is_staff=True)
    client = test_client_factory(auth_for_user=staff)
    service = TodoService()
    for title in ("done", "also done", "open"):
        todo = service.create_todo(staff, title=title)
        if title != "open":
            service.mark_completed(todo.pk, staff)

    with celery_worker_factory():
        queued = client.post("/v1/tasks/todo-cleanup")
        assert queued.status_code == 202, queued.text
        task_id = queued.json()["task_id"]
        deadline = time.monotonic() + 30
        while not client.get(f"/v1/tasks/{task_id}").json()["ready"]:
            assert time.monotonic() < deadline, "the cleanup did not finish"
            time.sleep(0.1)

    request = spans.one("POST /v1/tasks/todo-cleanup")
    published = spans.one("apply_async/todo.cleanup")
    run = spans.one("run/todo.cleanup")
    assert trace_id(run) == trace_id(published) == trace_id(request)
    assert run.parent is not None
    assert published.context is not None
    assert run.parent.span_id == published.context.span_id
    assert _attributes(run)["celery.task_name"] == "todo.cleanup"
    by_id = {s.context.span_id: s for s in spans.all() if s.context is not None}
    cleanup = spans.one("todo cleanup")
    assert "run/todo.cleanup" in _ancestors(cleanup, by_id)
    assert _attributes(cleanup)["users_processed"] == 1
    assert _attributes(cleanup)["todos_deleted"] == 2
    batch = spans.one("todo cleanup batch")
    assert batch.parent is not None
    assert cleanup.context is not None
    assert batch.parent.span_id == cleanup.context.span_id
    assert _attributes(batch)["first_user_id"] == _attributes(batch)["last_user_id"] == staff.pk
    assert _attributes(batch)["deleted_count"] == 2
    statements = [s for s in spans.all() if "db.statement" in _attributes(s)]
    assert any("DELETE" in _attributes(s)["db.statement"] and "todo cleanup batch"
               in _ancestors(s, by_id) for s in statements)  # fmt: skip
