"""The benchmark's probes answer the reader's list: otherwise their figures measure other work.

Served in-process, like the baseline's test (see there for `transactional_db` and `CONN_MAX_AGE`).
The async-query probes read PostgreSQL with psycopg, so they run in the PostgreSQL suite only.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from bench.api import paths
from bench.api.paths import CEILING_PATH, LIST_PATH
from bench.api.seed import READER
from django.db import connections
from fastapi.testclient import TestClient

from infrastructure.django.connections import close_orm_connections
from ioc.container import ContainerFactory
from tests.bench.conftest import ok
from tests.conftest import backend
from tests.delivery.http.conftest import signed_in

pytestmark = pytest.mark.skipif(backend() != "postgres", reason="the probes read PostgreSQL")


@pytest.fixture
def api(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    from bench.api.ceiling import mount_ceiling
    from bench.api.probes import mount_probes

    from delivery.http.factories import FastAPIFactory  # imports models: Django must be set up

    app = ContainerFactory()().resolve(FastAPIFactory)()
    close_probes = mount_probes(app, mount_ceiling(app))
    with TestClient(app) as client:
        yield client
        client.portal.call(close_probes)  # type: ignore[union-attr]
    close_orm_connections()


def _store_in_ceiling(api: TestClient, listed: dict[str, Any]) -> None:
    assert api.put(CEILING_PATH, json=listed).status_code == 204


def _reader_with_todos(api: TestClient, count: int) -> dict[str, str]:
    auth = signed_in(api, READER)
    for number in range(count):
        ok(api.post(LIST_PATH, json={"title": f"todo {number}"}, headers=auth), 201)
    return auth


def test_each_probe_answers_the_readers_list(api: TestClient) -> None:
    auth = _reader_with_todos(api, 3)
    signed_in(api, "other")  # a second user, whose todos none may list

    listed = ok(api.get(LIST_PATH, headers=auth))
    _store_in_ceiling(api, listed)

    assert listed["count"] == 3
    for path in (CEILING_PATH, *paths.SAME_ANSWER_PROBES):
        assert ok(api.get(path, headers=auth)) == listed, path
    built = ok(api.get(paths.ASYNC_QUERY_JSON_PROBE))
    assert [todo["id"] for todo in built["todos"]] == [todo["id"] for todo in listed["todos"]]
    assert (built["count"], built["next_cursor"]) == (3, None)


def test_the_parameters_probe_checks_the_lists_parameters(api: TestClient) -> None:
    auth = _reader_with_todos(api, 1)
    _store_in_ceiling(api, ok(api.get(LIST_PATH, headers=auth)))

    assert api.get(f"{paths.PARAMETERS_PROBE}?limit=0").status_code == 422
    assert api.get(f"{paths.PARAMETERS_PROBE}?offset=-1").status_code == 422
