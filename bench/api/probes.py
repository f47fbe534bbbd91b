"""Probes: one piece of the list's work at a time, to show where the ceiling's throughput goes.

Each probe answers like the ceiling but pays for exactly one thing the real list pays for:
- `parameters`: the list's own signature (the bearer scheme and four query parameters), checked by
  FastAPI, then the stored answer;
- `thread-hop`: one empty hop to the ORM thread (`run_orm`), then the stored answer;
- `async-query`: the list's SQL for the reader, run on the event loop with async psycopg through
  a small pool (no thread, no ORM, no token, no parameters), its rows encoded as the list's are;
- `async-query-json`: the same rows, with PostgreSQL building the JSON text (its spacing and
  timestamp format differ from the API's, so it only measures, it could not serve).

The async-query probes are the cheapest way this stack has to read PostgreSQL: if they stay under
half the ceiling, so does any endpoint that reads the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.db import connection
from fastapi import FastAPI, Query, Response
from psycopg.conninfo import make_conninfo
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool

from bench.api.paths import (
    ASYNC_QUERY_JSON_PROBE,
    ASYNC_QUERY_PROBE,
    PARAMETERS_PROBE,
    THREAD_HOP_PROBE,
)
from bench.api.seed import READER
from core.todo.models import Todo
from core.todo.queries import TODO_FIELDS
from delivery.http.auth.dependencies import BearerCredentials
from delivery.http.responses import JSONBytesResponse
from infrastructure.django.connections import run_orm

POOL_SIZE = 4  # 2 and 8 measured the same within noise; the load has 16 connections
PAGE_ROWS = 51  # the list's default page of 50, plus the one that says whether there is more

_TODOS = Todo._meta.db_table
_COLUMNS = ", ".join(TODO_FIELDS)  # each field is stored in a column of the same name
_PAGE_SQL = (
    f"SELECT {_COLUMNS}, COUNT(*) OVER () FROM {_TODOS} "  # noqa: S608 - names from the model
    "WHERE user_id = %s ORDER BY id DESC LIMIT %s"
)
_TODO_OBJECT = ", ".join(f"'{field}', {field}" for field in TODO_FIELDS)
_PAGE_JSON_SQL = (
    f"SELECT json_build_object('todos', COALESCE(json_agg(json_build_object({_TODO_OBJECT}) "  # noqa: S608
    "ORDER BY id DESC), '[]'), 'count', MAX(total), 'next_cursor', NULL)::text "
    f"FROM (SELECT {_COLUMNS}, COUNT(*) OVER () AS total FROM {_TODOS} "
    "WHERE user_id = %s ORDER BY id DESC LIMIT %s) AS page"
)
_READER_SQL = f"SELECT id FROM {get_user_model()._meta.db_table} WHERE username = %s"  # noqa: S608


class _ReaderPages:
    """The reader's first page through an async psycopg pool, opened inside the server's loop."""

    def __init__(self) -> None:
        self._pool: AsyncConnectionPool | None = None
        self._opening = asyncio.Lock()
        self._reader_id = 0

    async def fetch(self, sql: str) -> list[TupleRow]:
        pool = self._pool or await self._open()
        async with pool.connection() as conn:
            cursor = await conn.execute(sql, (self._reader_id, PAGE_ROWS), prepare=True)
            return await cursor.fetchall()

    async def _open(self) -> AsyncConnectionPool:
        async with self._opening:
            if self._pool is None:
                pool = AsyncConnectionPool(
                    _conninfo(), min_size=POOL_SIZE, max_size=POOL_SIZE,
                    kwargs={"autocommit": True}, open=False,
                )  # fmt: skip
                await pool.open(wait=True)
                async with pool.connection() as conn:
                    row = await (await conn.execute(_READER_SQL, (READER,))).fetchone()
                if row is None:
                    raise RuntimeError(f"probe: no user {READER!r}; seed before loading")
                self._reader_id = int(row[0])
                self._pool = pool
        return self._pool

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def _conninfo() -> str:
    """Django's own database, so the probes read what the API reads."""
    settings = connection.settings_dict
    keys = {
        "dbname": "NAME",
        "user": "USER",
        "password": "PASSWORD",
        "host": "HOST",
        "port": "PORT",
    }
    return make_conninfo(**{key: settings[name] for key, name in keys.items() if settings[name]})


def mount_probes(app: FastAPI, answer: dict[str, Any]) -> Callable[[], Awaitable[None]]:
    """`answer` is the ceiling's stored copy of the list's answer.

    Returns what closes the probes' pool; a benchmark server just exits, tests call it.
    """
    pages = _ReaderPages()

    async def parameters(
        credentials: BearerCredentials,
        completed: bool | None = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        cursor: Annotated[str | None, Query(max_length=64)] = None,
    ) -> Response:
        return JSONBytesResponse(answer)

    async def thread_hop() -> Response:
        await run_orm(_nothing)
        return JSONBytesResponse(answer)

    async def async_query() -> Response:
        rows = await pages.fetch(_PAGE_SQL)
        todos = [dict(zip(TODO_FIELDS, row, strict=False)) for row in rows[: PAGE_ROWS - 1]]
        count = rows[0][-1] if rows else 0
        return JSONBytesResponse({"todos": todos, "count": count, "next_cursor": None})

    async def async_query_json() -> Response:
        rows = await pages.fetch(_PAGE_JSON_SQL)
        return Response(str(rows[0][0]).encode(), media_type="application/json")

    for path, endpoint in (
        (PARAMETERS_PROBE, parameters),
        (THREAD_HOP_PROBE, thread_hop),
        (ASYNC_QUERY_PROBE, async_query),
        (ASYNC_QUERY_JSON_PROBE, async_query_json),
    ):
        app.add_api_route(path, endpoint, methods=["GET"], include_in_schema=False)
    return pages.close


def _nothing() -> None:
    return None
