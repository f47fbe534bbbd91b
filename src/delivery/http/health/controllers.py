"""`GET /v1/health`: the database and the broker, each `ok` or `error`, with its latency.

Without the database the API cannot serve, so that answers 503. Without the broker it still
serves everything but the task endpoints, so that answers 200 with the broker's error.
"""

from dataclasses import asdict, dataclass
from typing import Literal

from django.db import DatabaseError
from fastapi import FastAPI, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from infrastructure.delivery.controllers import Controller
from infrastructure.django.connections import run_orm
from infrastructure.django.health import DatabaseUnavailableError, check_database
from infrastructure.observability.health import BrokerHealth, timed


class CheckOut(BaseModel):
    status: Literal["ok", "error"]
    latency_ms: float
    reason: str | None = None


class HealthOut(BaseModel):
    # ok; degraded (the broker is down: tasks cannot be queued); unavailable (the database is down).
    status: Literal["ok", "degraded", "unavailable"]
    database: CheckOut
    broker: CheckOut


@dataclass(kw_only=True)
class HealthController(Controller):
    _broker_health: BrokerHealth

    def register(self, registry: FastAPI) -> None:
        registry.add_api_route(
            "/v1/health",
            self.health,
            methods=["GET"],
            operation_id="health",
            response_model=HealthOut,
            responses={
                status.HTTP_503_SERVICE_UNAVAILABLE: {
                    "model": HealthOut,
                    "description": "The database does not answer",
                }
            },
            tags=["health"],
            summary="Whether the service and its database answer",
        )

    async def health(self) -> JSONResponse:
        database = await timed(_check_database, _database_reason)
        broker = await self._broker_health.check()
        code, overall = status.HTTP_200_OK, "ok"
        if database.status == "error":
            code, overall = status.HTTP_503_SERVICE_UNAVAILABLE, "unavailable"
        elif broker.status == "error":
            overall = "degraded"
        body = {"status": overall, "database": _drop_none(asdict(database)),
                "broker": _drop_none(asdict(broker))}  # fmt: skip
        return JSONResponse(body, status_code=code)


async def _check_database() -> None:
    await run_orm(check_database)


def _database_reason(exc: Exception) -> str:
    if isinstance(exc, DatabaseError):
        return str(DatabaseUnavailableError(exc))
    if isinstance(exc, DatabaseUnavailableError):
        return str(exc)
    return f"database check failed ({type(exc).__name__})"


def _drop_none(fields: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in fields.items() if value is not None}
