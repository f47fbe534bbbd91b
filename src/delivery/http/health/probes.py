"""Probes for an orchestrator: is the process alive, is it ready for traffic.

- `GET /v1/health/live` answers from the event loop alone, with no I/O: it fails only when the
  process cannot answer at all (stuck, or out of threads for its event loop), which is when
  restarting it helps.
- `GET /v1/health/ready` runs `SELECT 1` on an ORM thread: while the database does not answer,
  the process should get no traffic, but restarting it would not help.

`GET /v1/health` remains the report for people and monitoring; both probes are cheaper.
"""

from dataclasses import dataclass
from typing import Literal

from django.db import DatabaseError
from fastapi import FastAPI, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from delivery.http.contract import UnavailableOut, answers
from infrastructure.delivery.controllers import Controller
from infrastructure.django.connections import run_orm
from infrastructure.django.health import DatabaseUnavailableError, check_database

RETRY_AFTER_S = 1


class LiveOut(BaseModel):
    status: Literal["alive"]


class ReadyOut(BaseModel):
    status: Literal["ready"]


@dataclass(kw_only=True)
class ProbesController(Controller):
    def register(self, registry: FastAPI) -> None:
        registry.add_api_route(
            "/v1/health/live",
            self.live,
            methods=["GET"],
            operation_id="health_live",
            response_model=LiveOut,
            tags=["health"],
            summary="Liveness: the process answers (no I/O)",
        )
        registry.add_api_route(
            "/v1/health/ready",
            self.ready,
            methods=["GET"],
            operation_id="health_ready",
            response_model=ReadyOut,
            responses=answers(503, notes={503: "`database unavailable`: send no traffic here"}),
            tags=["health"],
            summary="Readiness: the database answers",
        )

    async def live(self) -> LiveOut:
        return LiveOut(status="alive")

    async def ready(self) -> ReadyOut | JSONResponse:
        try:
            await run_orm(check_database)
        except (DatabaseUnavailableError, DatabaseError):
            body = UnavailableOut(detail="database unavailable")
            return JSONResponse(
                body.model_dump(exclude_none=True),
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
        return ReadyOut(status="ready")
