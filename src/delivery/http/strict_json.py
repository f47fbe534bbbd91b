"""JSON bodies with a key given twice are refused (422), not silently read as its last value.

Two parsers that disagree on which of two values counts (a proxy, a log, this API) are a way to
smuggle a value past one of them; a body that says two things is refused instead.
"""

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            # FastAPI answers a JSONDecodeError with its usual 422 (`json_invalid`).
            raise json.JSONDecodeError(f"duplicate key {key!r}", "", 0)
        found[key] = value
    return found


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), object_pairs_hook=_unique_keys)
        return self._json


class StrictJSONRoute(APIRoute):
    """Routes with a body parse it with `StrictJSONRequest`; the others are left as they are."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict_handler
