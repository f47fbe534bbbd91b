"""The benchmark's users, made through the API, and large todo lists inserted directly.

Accounts, tokens and the small lists go through the public API, so they are what a client would
have made. Lists of thousands to a million todos are written by the database itself in one
statement (half of them completed), as the per-user limit would refuse them through the API:
they stand for users who grew before the limit, and for the worst a database can hold.
"""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg

LIST_SIZE = 20


@dataclass(frozen=True)
class Account:
    id: int
    token: str


def expect(response: httpx.Response, code: int) -> Any:
    if response.status_code != code:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}, expected {code}: {response.text[:500]}"
        )
    return response.json() if response.content else None


def sign_up(client: httpx.Client, name: str) -> Account:
    password = secrets.token_urlsafe(16)
    account = {"username": name, "email": f"{name}@bench.example.com", "password": password}
    user = expect(client.post("/v1/users/", json=account), 201)
    login = client.post("/v1/users/me/token", json={"username": name, "password": password})
    return Account(id=int(user["id"]), token=str(expect(login, 200)["access_token"]))


def create_todos(client: httpx.Client, account: Account, count: int) -> list[int]:
    auth = {"Authorization": f"Bearer {account.token}"}
    return [
        int(expect(client.post("/v1/todos", json={"title": f"Todo {n}",
                                                  "description": f"Seeded todo {n}."},
                               headers=auth), 201)["id"])
        for n in range(1, count + 1)
    ]  # fmt: skip


_POSTGRES_INSERT = """
INSERT INTO todo_todo (title, description, completed, completed_at, created_at, updated_at, user_id)
SELECT 'todo ' || n, '', n %% 2 = 0, CASE WHEN n %% 2 = 0 THEN now() END, now(), now(), %(user)s
FROM generate_series(1, %(count)s) AS n
"""
_SQLITE_INSERT = """
WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < :count)
INSERT INTO todo_todo (title, description, completed, completed_at, created_at, updated_at, user_id)
SELECT 'todo ' || value, '', value % 2 = 0,
       CASE WHEN value % 2 = 0 THEN strftime('%Y-%m-%d %H:%M:%f', 'now') END,
       strftime('%Y-%m-%d %H:%M:%f', 'now'), strftime('%Y-%m-%d %H:%M:%f', 'now'), :user
FROM n
"""
_ID_RANGE = "SELECT min(id), max(id) FROM todo_todo WHERE user_id = {}"


def insert_todos(database_url: str, user_id: int, count: int) -> range:
    """`count` todos for `user_id` in one statement; returns the ids they got."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as lite:
            lite.execute(_SQLITE_INSERT, {"count": count, "user": user_id})
            first, last = lite.execute(_ID_RANGE.format("?"), (user_id,)).fetchone()
    else:
        with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as pg:
            pg.execute(_POSTGRES_INSERT, {"count": count, "user": user_id})
            row = pg.execute(_ID_RANGE.format("%s"), (user_id,)).fetchone()
            first, last = row if row else (0, -1)
    if last - first + 1 != count:
        raise RuntimeError(f"user {user_id}: {count} todos did not get consecutive ids")
    return range(first, last + 1)


def analyze(database_url: str) -> None:
    """Fresh planner statistics after the bulk inserts, as autovacuum would give a live database."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as lite:
            lite.execute("ANALYZE")
    else:
        url = database_url.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True) as pg:
            pg.execute("VACUUM (ANALYZE) todo_todo")
