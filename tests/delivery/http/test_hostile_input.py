"""Bodies that are too large, malformed or ambiguous are refused with a 4xx, and nothing is done."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from configs.api import ApiSettings
from core.todo.models import Todo
from infrastructure.ioc import AutoRegisteringContainer
from tests.delivery.http.conftest import signed_in

LIMIT = 4096


@pytest.fixture
def small(
    container: AutoRegisteringContainer, make_client: Callable[..., TestClient]
) -> TestClient:
    """A client of an app whose body limit is 4 KiB."""
    container.register(ApiSettings, instance=ApiSettings(max_body_bytes=LIMIT))
    return make_client()


@pytest.fixture
def user(small: TestClient) -> dict[str, str]:
    return signed_in(small, "mallory")


def _chunks(total: int, size: int = 1024) -> Iterator[bytes]:
    """A body with no Content-Length: the client sends it chunked."""
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def test_a_body_over_the_limit_answers_413_and_creates_nothing(
    small: TestClient, user: dict[str, str]
) -> None:
    response = small.post("/v1/todos", json={"title": "t" * LIMIT}, headers=user)

    assert response.status_code == 413
    assert response.json() == {"detail": f"request body too large: at most {LIMIT} bytes"}
    assert response.headers["connection"] == "close"
    assert not Todo.objects.exists()


def test_a_declared_length_over_the_limit_runs_nothing_even_where_no_body_is_read(
    small: TestClient, user: dict[str, str]
) -> None:
    todo = small.post("/v1/todos", json={"title": "keep"}, headers=user).json()

    response = small.request(
        "DELETE", f"/v1/todos/{todo['id']}", content=b"x" * (LIMIT + 1), headers=user
    )

    assert response.status_code == 413
    assert Todo.objects.filter(pk=todo["id"]).exists()


def test_a_chunked_body_is_counted_as_it_arrives(small: TestClient, user: dict[str, str]) -> None:
    headers = user | {"Content-Type": "application/json"}

    response = small.post("/v1/todos", content=_chunks(LIMIT * 4), headers=headers)

    assert response.status_code == 413
    assert not Todo.objects.exists()


def test_the_admin_is_behind_the_same_limit(small: TestClient) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    declared = small.post("/django/admin/login/", content=b"a=" + b"x" * LIMIT, headers=headers)
    chunked = small.post("/django/admin/login/", content=_chunks(LIMIT * 4), headers=headers)

    assert declared.status_code == chunked.status_code == 413


def test_a_body_at_the_limit_is_read(small: TestClient, user: dict[str, str]) -> None:
    body = json.dumps({"title": "t", "description": ""}).encode()
    padded = body[:-1] + b" " * (LIMIT - len(body)) + b"}"

    response = small.post(
        "/v1/todos", content=padded, headers=user | {"Content-Type": "application/json"}
    )

    assert len(padded) == LIMIT
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400),  # deeper than any parser goes
        (b'{"title": ' + b"[" * 900 + b"]" * 900 + b"}", "application/json", 422),
        (b'{"title": "\xff\xfe caf\xe9"}', "application/json", 400),  # not UTF-8
        (b'{"title": "a", "title": "b"}', "application/json", 422),  # a key twice
        (b'{"title": "a", "extra": {"x": 1, "x": 2}}', "application/json", 422),
        (b'{"title": "a"}', "text/plain", 422),
        (b"title=a", "application/x-www-form-urlencoded", 422),
        (b"", "application/json", 422),
        (b"{", "application/json", 422),
        (b'{"title": "a\\u0000b"}', "application/json", 422),  # PostgreSQL text holds no NUL
    ],
)
def test_malformed_bodies_answer_4xx_and_create_nothing(
    client: TestClient, alice: dict[str, str], content: bytes, content_type: str, status: int
) -> None:
    response = client.post(
        "/v1/todos", content=content, headers=alice | {"Content-Type": content_type}
    )

    assert response.status_code == status, response.text
    assert not Todo.objects.exists()


def test_a_duplicate_key_says_which(client: TestClient, alice: dict[str, str]) -> None:
    response = client.post(
        "/v1/todos",
        content=b'{"title": "a", "title": "b"}',
        headers=alice | {"Content-Type": "application/json"},
    )

    [problem] = response.json()["detail"]
    assert problem["type"] == "json_invalid"
    assert "duplicate key 'title'" in problem["ctx"]["error"]


def test_a_deeply_nested_unknown_field_is_refused_without_echoing_its_depth(
    client: TestClient, alice: dict[str, str]
) -> None:
    deep: Any = []
    for _ in range(500):
        deep = [deep]
    response = client.post("/v1/todos", json={"title": "a", "extra": deep}, headers=alice)

    assert response.status_code == 422
    assert not Todo.objects.exists()
