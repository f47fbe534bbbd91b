"""JSON responses serialised by pydantic-core in one call, skipping FastAPI's response-model pass.

Endpoints on the hot path declare `response_model` for the OpenAPI schema and return these.
"""

from typing import Any

from fastapi import Response
from pydantic_core import to_json


class JSONBytesResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return to_json(content)
