"""Seed through the public API, so the data is exactly what a client would have made.

Two users: the reader owns exactly 20 todos for the list and detail loads; the writer takes the
create load (the API's and the baseline's), which grows its table without changing what the
reader's list returns. Then the baseline's and the probes' answers are checked against the API's.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx

from bench.api import paths
from bench.api.paths import CEILING_PATH, LIST_PATH

LIST_SIZE = 20
READER, WRITER = "bench-reader", "bench-writer"


@dataclass(frozen=True, kw_only=True)
class SeededData:
    reader_token: str
    writer_token: str
    todo_id: int


def _expect(response: httpx.Response, code: int) -> Any:
    if response.status_code != code:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}, expected {code}: {response.text[:500]}"
        )
    return response.json() if response.content else None


def _user_token(client: httpx.Client, name: str) -> str:
    password = secrets.token_urlsafe(16)
    account = {"username": name, "email": f"{name}@bench.example.com", "password": password}
    _expect(client.post("/v1/users/", json=account), 201)
    login = client.post("/v1/users/me/token", json={"username": name, "password": password})
    return str(_expect(login, 200)["access_token"])


def seed(base_url: str) -> SeededData:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        reader = _user_token(client, READER)
        auth = {"Authorization": f"Bearer {reader}"}
        ids = []
        for number in range(1, LIST_SIZE + 1):
            todo = {"title": f"Todo {number}", "description": f"Seeded todo number {number}."}
            ids.append(int(_expect(client.post(LIST_PATH, json=todo, headers=auth), 201)["id"]))
        listed = _expect(client.get(LIST_PATH, headers=auth), 200)
        if len(listed.get("todos", [])) != LIST_SIZE:
            raise RuntimeError(f"GET {LIST_PATH} should list {LIST_SIZE} todos: {listed}")
        _expect(client.put(CEILING_PATH, json=listed), 204)
        if _expect(client.get(CEILING_PATH), 200) != listed:
            raise RuntimeError(f"{CEILING_PATH} does not answer what {LIST_PATH} answers")
        writer = _user_token(client, WRITER)
    return SeededData(reader_token=reader, writer_token=writer, todo_id=ids[len(ids) // 2])


def check_baseline(app_url: str, baseline_url: str, seeded: SeededData) -> None:
    """The baseline must answer what the real API answers, or its figures compare nothing."""
    reader = {"Authorization": f"Bearer {seeded.reader_token}"}
    writer = {"Authorization": f"Bearer {seeded.writer_token}"}
    with (
        httpx.Client(base_url=app_url, timeout=30) as app,
        httpx.Client(base_url=baseline_url, timeout=30) as baseline,
    ):
        for path in (LIST_PATH, f"{LIST_PATH}/{seeded.todo_id}"):
            real = _expect(app.get(path, headers=reader), 200)
            if _expect(baseline.get(path, headers=reader), 200) != real:
                raise RuntimeError(f"the baseline's GET {path} does not answer what the API does")
        todo = {"title": "Shape check", "description": "Created by both the API and the baseline."}
        real = _expect(app.post(LIST_PATH, json=todo, headers=writer), 201)
        made = _expect(baseline.post(LIST_PATH, json=todo, headers=writer), 201)
        if made.keys() != real.keys() or made["id"] <= real["id"] or made["title"] != real["title"]:
            raise RuntimeError(f"the baseline's POST {LIST_PATH} answered {made}; the API {real}")
        if baseline.get(LIST_PATH).status_code != 401:
            raise RuntimeError(f"the baseline's GET {LIST_PATH} answers without a token")


def check_probes(app_url: str, seeded: SeededData) -> None:
    """Each probe must answer the reader's list, or its figure measures some other work."""
    reader = {"Authorization": f"Bearer {seeded.reader_token}"}
    with httpx.Client(base_url=app_url, timeout=30) as app:
        listed = _expect(app.get(LIST_PATH, headers=reader), 200)
        for path in paths.SAME_ANSWER_PROBES:
            if _expect(app.get(path, headers=reader), 200) != listed:
                raise RuntimeError(f"{path} does not answer what {LIST_PATH} answers")
        # PostgreSQL writes its own JSON: compare what it says, not how.
        built = _expect(app.get(paths.ASYNC_QUERY_JSON_PROBE, headers=reader), 200)
        same = [(t["id"], t["title"]) for t in built["todos"]] == [
            (t["id"], t["title"]) for t in listed["todos"]
        ]
        if not same or built["count"] != listed["count"]:
            raise RuntimeError(f"{paths.ASYNC_QUERY_JSON_PROBE} lists other todos than {LIST_PATH}")
