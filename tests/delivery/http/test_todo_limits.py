"""What bounds one user: how many todos they keep, how fast they write, how deep they page."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from configs.auth import ThrottleSettings
from core.todo.queries import MAX_OFFSET
from infrastructure.ioc import AutoRegisteringContainer
from tests.delivery.http.conftest import GENEROUS, signed_in


def test_creating_past_the_per_user_limit_answers_409_until_one_is_deleted(
    monkeypatch: pytest.MonkeyPatch, make_client: Callable[..., TestClient]
) -> None:
    monkeypatch.setenv("TODO_MAX_PER_USER", "2")
    client = make_client()
    alice, bob = signed_in(client, "alice"), signed_in(client, "bob")
    first = client.post("/v1/todos", json={"title": "one"}, headers=alice).json()
    assert client.post("/v1/todos", json={"title": "two"}, headers=alice).status_code == 201

    refused = client.post("/v1/todos", json={"title": "three"}, headers=alice)

    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "todo limit reached: a user may have at most 2 todos; delete some first"
    }
    assert client.get("/v1/todos", headers=alice).json()["count"] == 2
    assert client.post("/v1/todos", json={"title": "bob's"}, headers=bob).status_code == 201
    assert client.delete(f"/v1/todos/{first['id']}", headers=alice).status_code == 204
    assert client.post("/v1/todos", json={"title": "three"}, headers=alice).status_code == 201


def test_zero_means_no_limit(
    monkeypatch: pytest.MonkeyPatch, make_client: Callable[..., TestClient]
) -> None:
    monkeypatch.setenv("TODO_MAX_PER_USER", "0")
    client = make_client()
    alice = signed_in(client, "alice")

    statuses = {client.post("/v1/todos", json={"title": "t"}, headers=alice).status_code
                for _ in range(5)}  # fmt: skip

    assert statuses == {201}


def test_writes_past_the_per_user_rate_answer_429_and_reads_go_on(
    container: AutoRegisteringContainer, make_client: Callable[..., TestClient]
) -> None:
    slow_writes = GENEROUS.model_copy(update={"todo_writes": "3/m"})
    container.register(ThrottleSettings, instance=slow_writes)
    client = make_client()
    alice, bob = signed_in(client, "alice"), signed_in(client, "bob")
    todo = client.post("/v1/todos", json={"title": "t"}, headers=alice).json()
    client.patch(f"/v1/todos/{todo['id']}", json={"completed": True}, headers=alice)
    client.post("/v1/todos", json={"title": "t"}, headers=alice)

    refused = [
        client.post("/v1/todos", json={"title": "t"}, headers=alice),
        client.patch(f"/v1/todos/{todo['id']}", json={"title": "x"}, headers=alice),
        client.delete(f"/v1/todos/{todo['id']}", headers=alice),
    ]

    for response in refused:
        assert response.status_code == 429
        assert response.json() == {"detail": "too many requests"}
        assert int(response.headers["retry-after"]) >= 1
    assert client.get("/v1/todos", headers=alice).json()["count"] == 2  # nothing more written
    assert client.post("/v1/todos", json={"title": "t"}, headers=bob).status_code == 201


def test_an_offset_past_the_bound_answers_422_pointing_to_the_cursor(
    client: TestClient, alice: dict[str, str]
) -> None:
    assert client.get("/v1/todos", params={"offset": MAX_OFFSET}, headers=alice).status_code == 200

    refused = client.get("/v1/todos", params={"offset": MAX_OFFSET + 1}, headers=alice)

    assert refused.status_code == 422
    [problem] = refused.json()["detail"]
    assert problem["loc"] == ["query", "offset"]
    assert "cursor" in problem["msg"]


def test_the_cursor_walks_a_list_with_the_whole_count_on_every_page(
    client: TestClient, alice: dict[str, str]
) -> None:
    created = [client.post("/v1/todos", json={"title": f"t{i}"}, headers=alice).json()["id"]
               for i in range(7)]  # fmt: skip
    seen, counts, cursor = [], [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/todos", params=params, headers=alice).json()
        seen += [todo["id"] for todo in page["todos"]]
        counts.append(page["count"])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == created[::-1]
    assert counts == [7, 7, 7]
