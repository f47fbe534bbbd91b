"""The OpenAPI document states what the API answers and what it accepts.

`make fuzz` checks the server against the document; these check the document says enough.
"""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from delivery.http.todos.cursors import CURSOR_PATTERN, decode_cursor, encode_cursor

MAX_ID = 2**63 - 1
# Routes that touch neither the database nor the broker, so they cannot answer 503.
WITHOUT_IO = {"GET /v1/health/live"}


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json())


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def _schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(document["components"]["schemas"][name])


def test_every_route_documents_the_errors_its_shape_allows(document: dict[str, Any]) -> None:
    for label, operation in _operations(document):
        statuses = set(operation["responses"])
        assert ("503" in statuses) != (label in WITHOUT_IO), label
        if operation.get("security"):
            assert "401" in statuses, label
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= statuses, label
        if operation.get("parameters"):
            assert "422" in statuses, label


@pytest.mark.parametrize(
    ("operation", "statuses"),
    [
        ("POST /v1/users/", {"409", "429"}),
        ("POST /v1/users/me/token", {"401", "429"}),
        ("POST /v1/todos", {"409", "429"}),
        ("GET /v1/todos/{todo_id}", {"404"}),
        ("PATCH /v1/todos/{todo_id}", {"404", "429"}),
        ("DELETE /v1/todos/{todo_id}", {"404", "429"}),
        ("POST /v1/tasks/todo-cleanup", {"403", "429"}),
        ("GET /v1/tasks/{task_id}", {"403", "404"}),
    ],
)
def test_routes_document_their_own_errors(
    document: dict[str, Any], operation: str, statuses: set[str]
) -> None:
    responses = dict(_operations(document))[operation]["responses"]
    assert statuses <= set(responses)


def test_every_error_has_a_json_body_schema_and_its_headers(document: dict[str, Any]) -> None:
    for label, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("4") or status.startswith("5"):
                assert "$ref" in response["content"]["application/json"]["schema"], (label, status)
        for status, header in (("401", "WWW-Authenticate"), ("429", "Retry-After")):
            if status in operation["responses"]:
                assert header in operation["responses"][status]["headers"], (label, status)


def test_the_schema_states_the_constraints_the_server_enforces(document: dict[str, Any]) -> None:
    sign_up = _schema(document, "SignUpIn")["properties"]
    assert (sign_up["password"]["minLength"], sign_up["password"]["maxLength"]) == (8, 1024)
    assert sign_up["password"]["pattern"] == "[^0-9]"
    assert sign_up["username"]["pattern"] == "^[A-Za-z0-9_.@+-]+$"
    assert (sign_up["username"]["minLength"], sign_up["username"]["maxLength"]) == (1, 150)
    assert sign_up["email"]["maxLength"] == 254
    params = {p["name"]: p["schema"] for p in document["paths"]["/v1/todos"]["get"]["parameters"]}
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 100)
    assert (params["offset"]["minimum"], params["offset"]["maximum"]) == (0, 10_000)
    cursor = next(s for s in params["cursor"]["anyOf"] if s.get("type") == "string")
    assert cursor["pattern"] == CURSOR_PATTERN


def test_a_created_todo_links_to_the_routes_that_act_on_it(document: dict[str, Any]) -> None:
    links = document["paths"]["/v1/todos"]["post"]["responses"]["201"]["links"]
    operation_ids = {op["operationId"] for _, op in _operations(document)}

    assert {link["operationId"] for link in links.values()} == {
        "get_todo",
        "update_todo",
        "delete_todo",
    }
    for link in links.values():
        assert link["parameters"] == {"todo_id": "$response.body#/id"}
        assert link["operationId"] in operation_ids


@given(st.integers(min_value=0, max_value=MAX_ID))
def test_a_cursor_is_the_id_it_was_made_from(before_id: int) -> None:
    cursor = encode_cursor(before_id)

    assert re.fullmatch(CURSOR_PATTERN, cursor)
    assert decode_cursor(cursor) == before_id


@given(st.from_regex(CURSOR_PATTERN, fullmatch=True))
def test_every_cursor_the_schema_allows_is_some_id(cursor: str) -> None:
    assert 0 <= decode_cursor(cursor) <= MAX_ID


def test_any_schema_valid_cursor_answers_a_page(client: TestClient, alice: dict[str, str]) -> None:
    client.post("/v1/todos", json={"title": "one"}, headers=alice)
    for cursor in ("AAAAAAAAAAA", "0000000000A", "__________8", encode_cursor(10**6)):
        response = client.get("/v1/todos", params={"cursor": cursor}, headers=alice)
        assert response.status_code == 200, cursor
        assert response.json()["count"] == 1
