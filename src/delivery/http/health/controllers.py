from dataclasses import dataclass

from django.db import DatabaseError
from fastapi import FastAPI, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from infrastructure.delivery.controllers import Controller
from infrastructure.django.connections import run_orm
from infrastructure.django.health import DatabaseUnavailableError, check_database


class HealthOut(BaseModel):
    status: str
    database: str
    reason: str | None = None


@dataclass(kw_only=True)
class HealthController(Controller):
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
        try:
            await run_orm(check_database)
        except (DatabaseUnavailableError, DatabaseError) as exc:
            reason = (
                str(DatabaseUnavailableError(exc)) if isinstance(exc, DatabaseError) else str(exc)
            )
            body = HealthOut(status="unavailable", database="unavailable", reason=reason)
            return JSONResponse(body.model_dump(), status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
        return JSONResponse(HealthOut(status="ok", database="ok").model_dump(exclude_none=True))
