"""The ceiling: the todo list's exact answer from the same process, with no database and no token.

Its requests/s is what this stack (uvicorn, Starlette, FastAPI) does with the list's payload when
the endpoint's only work is encoding its JSON, so the real list is judged as a share of it. The
runner copies the real list's answer in with `PUT` after seeding, so both send the same JSON.
The `GET` encodes it on every request with pydantic-core, the fastest encoder in the stack, and
skips any response model: whatever the real list does, it can do no less than this.
"""

from typing import Any

from fastapi import FastAPI, HTTPException, status

from bench.api.paths import CEILING_PATH
from delivery.http.responses import JSONBytesResponse


def mount_ceiling(app: FastAPI) -> dict[str, Any]:
    """Returns the stored answer, which the probes share."""
    payload: dict[str, Any] = {}

    async def store_list_answer(body: dict[str, Any]) -> None:
        payload.clear()
        payload.update(body)

    async def list_answer_without_work() -> JSONBytesResponse:
        if not payload:
            raise HTTPException(status.HTTP_409_CONFLICT, "PUT the list's answer here first")
        return JSONBytesResponse(payload)

    route = app.add_api_route
    route(
        CEILING_PATH, store_list_answer, methods=["PUT"], status_code=204, include_in_schema=False
    )
    route(CEILING_PATH, list_answer_without_work, methods=["GET"], include_in_schema=False)
    return payload
