from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.todo.models import Todo


def _create(
    client: TestClient, headers: dict[str, str], title: str, **extra: Any
) -> dict[str, Any]:
    response = client.post("/v1/todos", json={"title": title} | extra, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_create_answers_201_with_the_stored_todo(client: TestClient, alice: dict[str, str]) -> None:
    todo = _create(client, alice, "  buy milk  ", description="two litres")

    assert todo["title"] == "buy milk"
    assert todo["description"] == "two litres"
    assert todo["completed"] is False
    assert todo["completed_at"] is None
    assert {"id", "created_at", "updated_at"} <= set(todo)
    stored = Todo.objects.get(pk=todo["id"])
    assert stored.title == "buy milk"
    assert stored.user.username == "alice"


def test_get_one(client: TestClient, alice: dict[str, str]) -> None:
    todo = _create(client, alice, "read")

    response = client.get(f"/v1/todos/{todo['id']}", headers=alice)

    assert response.status_code == 200
    assert response.json() == todo


def test_patch_changes_only_the_given_fields(client: TestClient, alice: dict[str, str]) -> None:
    todo = _create(client, alice, "write", description="a letter")

    completed = client.patch(
        f"/v1/todos/{todo['id']}", json={"completed": True}, headers=alice
    ).json()
    renamed = client.patch(
        f"/v1/todos/{todo['id']}", json={"title": "write twice"}, headers=alice
    ).json()

    assert completed["completed"] is True
    assert completed["completed_at"] is not None
    assert completed["title"] == "write"
    assert renamed["title"] == "write twice"
    assert renamed["description"] == "a letter"
    assert renamed["completed"] is True


def test_reopening_clears_completed_at(client: TestClient, alice: dict[str, str]) -> None:
    todo = _create(client, alice, "call")
    client.patch(f"/v1/todos/{todo['id']}", json={"completed": True}, headers=alice)

    reopened = client.patch(
        f"/v1/todos/{todo['id']}", json={"completed": False}, headers=alice
    ).json()

    assert reopened["completed"] is False
    assert reopened["completed_at"] is None


def test_delete_answers_204_and_removes_the_todo(client: TestClient, alice: dict[str, str]) -> None:
    todo = _create(client, alice, "gone")

    response = client.delete(f"/v1/todos/{todo['id']}", headers=alice)

    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"/v1/todos/{todo['id']}", headers=alice).status_code == 404
    assert not Todo.objects.filter(pk=todo["id"]).exists()


def test_another_users_todo_reads_exactly_like_a_missing_one(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    todo = _create(client, alice, "private")
    missing_id = todo["id"] + 1000

    for method, body in (("GET", None), ("PATCH", {"title": "mine now"}), ("DELETE", None)):
        theirs = client.request(method, f"/v1/todos/{todo['id']}", json=body, headers=bob)
        missing = client.request(method, f"/v1/todos/{missing_id}", json=body, headers=bob)
        assert theirs.status_code == missing.status_code == 404, method
        assert theirs.content == missing.content, method
        assert theirs.headers["content-length"] == missing.headers["content-length"]
    assert Todo.objects.get(pk=todo["id"]).title == "private"


def test_list_shows_only_the_callers_todos_newest_first(
    client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    first = _create(client, alice, "first")
    second = _create(client, alice, "second")
    _create(client, bob, "bob's")

    body = client.get("/v1/todos", headers=alice).json()

    assert [t["id"] for t in body["todos"]] == [second["id"], first["id"]]
    assert body["count"] == 2
    assert body["next_cursor"] is None


def test_list_filters_by_completed(client: TestClient, alice: dict[str, str]) -> None:
    done = _create(client, alice, "done")
    open_ = _create(client, alice, "open")
    client.patch(f"/v1/todos/{done['id']}", json={"completed": True}, headers=alice)

    completed = client.get("/v1/todos", params={"completed": "true"}, headers=alice).json()
    not_completed = client.get("/v1/todos", params={"completed": "false"}, headers=alice).json()

    assert [t["id"] for t in completed["todos"]] == [done["id"]]
    assert completed["count"] == 1
    assert [t["id"] for t in not_completed["todos"]] == [open_["id"]]
    assert not_completed["count"] == 1


def test_offset_pagination(client: TestClient, alice: dict[str, str]) -> None:
    ids = [_create(client, alice, f"todo {i}")["id"] for i in range(5)]
    newest_first = ids[::-1]

    page1 = client.get("/v1/todos", params={"limit": 2}, headers=alice).json()
    page3 = client.get("/v1/todos", params={"limit": 2, "offset": 4}, headers=alice).json()

    assert [t["id"] for t in page1["todos"]] == newest_first[:2]
    assert page1["count"] == 5
    assert [t["id"] for t in page3["todos"]] == newest_first[4:]
    assert page3["count"] == 5
    assert page3["next_cursor"] is None


def test_cursor_pagination_walks_every_todo_once(client: TestClient, alice: dict[str, str]) -> None:
    ids = [_create(client, alice, f"todo {i}")["id"] for i in range(7)]
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 3}

    for _ in range(10):
        body = client.get("/v1/todos", params=params, headers=alice).json()
        seen += [t["id"] for t in body["todos"]]
        assert body["count"] == 7
        if body["next_cursor"] is None:
            break
        params = {"limit": 3, "cursor": body["next_cursor"]}

    assert seen == ids[::-1]


def test_cursor_pages_do_not_shift_when_new_todos_arrive(
    client: TestClient, alice: dict[str, str]
) -> None:
    ids = [_create(client, alice, f"todo {i}")["id"] for i in range(4)]
    page1 = client.get("/v1/todos", params={"limit": 2}, headers=alice).json()
    _create(client, alice, "newer")

    page2 = client.get(
        "/v1/todos", params={"limit": 2, "cursor": page1["next_cursor"]}, headers=alice
    ).json()

    assert [t["id"] for t in page2["todos"]] == ids[1::-1]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"cursor": "not-a-cursor"},
        {"cursor": "dG9kbzp4"},
        {"completed": "maybe"},
    ],
)
def test_bad_list_parameters_answer_422(
    client: TestClient, alice: dict[str, str], params: dict[str, Any]
) -> None:
    assert client.get("/v1/todos", params=params, headers=alice).status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "ok", "description": "x" * 1001},
        {"title": "ok", "owner": 1},
        {"title": None},
    ],
)
def test_invalid_todos_answer_422(
    client: TestClient, alice: dict[str, str], body: dict[str, Any]
) -> None:
    assert client.post("/v1/todos", json=body, headers=alice).status_code == 422
    assert Todo.objects.count() == 0


def test_limits_are_inclusive(client: TestClient, alice: dict[str, str]) -> None:
    todo = _create(client, alice, "x" * 200, description="y" * 1000)

    assert len(todo["title"]) == 200


def test_invalid_patch_answers_422(client: TestClient, alice: dict[str, str]) -> None:
    todo = _create(client, alice, "keep")

    for body in ({"title": ""}, {"description": "x" * 1001}, {"completed": "soon"}):
        assert client.patch(f"/v1/todos/{todo['id']}", json=body, headers=alice).status_code == 422
    assert Todo.objects.get(pk=todo["id"]).title == "keep"


def test_non_numeric_or_huge_ids_answer_422(client: TestClient, alice: dict[str, str]) -> None:
    assert client.get("/v1/todos/abc", headers=alice).status_code == 422
    assert client.get(f"/v1/todos/{2**64}", headers=alice).status_code == 422


def test_todos_need_a_token(client: TestClient) -> None:
    for method, path in (
        ("GET", "/v1/todos"),
        ("POST", "/v1/todos"),
        ("GET", "/v1/todos/1"),
        ("PATCH", "/v1/todos/1"),
        ("DELETE", "/v1/todos/1"),
    ):
        response = client.request(method, path, json={"title": "t"})
        assert response.status_code == 401, (method, path)


def test_list_items_are_exactly_the_single_todo_answers(
    client: TestClient, alice: dict[str, str]
) -> None:
    """The list reads rows by its own fast path; it must answer exactly what GET one does."""
    todo = _create(client, alice, "same", description="either way")
    client.patch(f"/v1/todos/{todo['id']}", json={"completed": True}, headers=alice)

    listed = client.get("/v1/todos", headers=alice).json()["todos"][0]
    single = client.get(f"/v1/todos/{todo['id']}", headers=alice).json()

    assert listed == single
    assert listed["completed_at"].endswith("Z")
