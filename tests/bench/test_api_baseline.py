"""The benchmark's baseline answers what the real API answers (the runner checks it before loading).

Both apps are served in-process by Starlette's TestClient. Their ORM work runs on other threads, so
the data must be committed (`transactional_db`), and `CONN_MAX_AGE=0` makes every thread close its
connection after each request, so none is left open when the test database is flushed or dropped.
"""

from collections.abc import Iterator

import pytest
from django.db import connections
from fastapi.testclient import TestClient

from configs.auth import ThrottleSettings
from infrastructure.django.connections import close_orm_connections
from ioc.container import ContainerFactory
from tests.bench.conftest import ok
from tests.delivery.http.conftest import signed_in


@pytest.fixture
def apps(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, TestClient]]:
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    container = ContainerFactory()()
    container.register(ThrottleSettings, instance=ThrottleSettings(signup="100/m", login="100/m"))
    from bench.api.baseline import create_app

    from delivery.http.factories import FastAPIFactory  # imports models: Django must be set up

    with (
        TestClient(container.resolve(FastAPIFactory)()) as api,
        TestClient(create_app()) as baseline,
    ):
        yield api, baseline
    close_orm_connections()


def test_the_baseline_answers_what_the_api_answers(apps: tuple[TestClient, TestClient]) -> None:
    api, baseline = apps
    alice, bob = signed_in(api, "alice"), signed_in(api, "bob")
    for number in range(3):
        ok(api.post("/v1/todos", json={"title": f"todo {number}"}, headers=alice), 201)
    made = ok(
        baseline.post("/v1/todos", json={"title": " made ", "description": "x"}, headers=alice), 201
    )
    ok(api.post("/v1/todos", json={"title": "not alice's"}, headers=bob), 201)

    listed = ok(api.get("/v1/todos", headers=alice))
    assert ok(baseline.get("/v1/todos", headers=alice)) == listed
    assert listed["count"] == 4
    assert listed["todos"][0] == made
    assert made["title"] == "made"
    assert ok(baseline.get(f"/v1/todos/{made['id']}", headers=alice)) == made
    assert baseline.get(f"/v1/todos/{made['id']}", headers=bob).status_code == 404


def test_the_baseline_pages_like_the_api(apps: tuple[TestClient, TestClient]) -> None:
    api, baseline = apps
    alice = signed_in(api, "alice")
    for number in range(5):
        ok(api.post("/v1/todos", json={"title": f"todo {number}"}, headers=alice), 201)

    for query in ("?limit=2", "?limit=2&offset=2", "?completed=false&limit=4", "?completed=true"):
        first = ok(api.get(f"/v1/todos{query}", headers=alice))
        assert ok(baseline.get(f"/v1/todos{query}", headers=alice)) == first, query
    page = ok(api.get("/v1/todos?limit=2", headers=alice))
    assert page["next_cursor"] is not None
    after = f"/v1/todos?limit=2&cursor={page['next_cursor']}"
    assert ok(baseline.get(after, headers=alice)) == ok(api.get(after, headers=alice))


def test_the_baseline_changes_and_deletes_like_the_api(apps: tuple[TestClient, TestClient]) -> None:
    api, baseline = apps
    alice, bob = signed_in(api, "alice"), signed_in(api, "bob")
    first, second = (ok(api.post("/v1/todos", json={"title": t}, headers=alice), 201)
                     for t in ("first", "second"))  # fmt: skip

    change = {"title": "renamed", "completed": True}
    theirs = ok(baseline.patch(f"/v1/todos/{first['id']}", json=change, headers=alice))
    mine = ok(api.patch(f"/v1/todos/{second['id']}", json=change, headers=alice))

    same = {"title", "description", "completed", "user_id"}
    assert {k: theirs[k] for k in same} == {k: mine[k] for k in same}
    assert theirs["completed_at"] is not None
    assert baseline.patch(f"/v1/todos/{first['id']}", json=change, headers=bob).status_code == 404
    assert baseline.delete(f"/v1/todos/{first['id']}", headers=bob).status_code == 404
    assert baseline.delete(f"/v1/todos/{first['id']}", headers=alice).status_code == 204
    assert api.get(f"/v1/todos/{first['id']}", headers=alice).status_code == 404
    assert ok(baseline.get("/v1/health")) == {"status": "ok", "database": "ok"}


def test_the_baseline_wants_a_valid_token(apps: tuple[TestClient, TestClient]) -> None:
    _, baseline = apps
    assert baseline.get("/v1/todos").status_code == 401
    assert baseline.get("/v1/todos", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert baseline.post("/v1/todos", json={"title": "t"}).status_code == 401
