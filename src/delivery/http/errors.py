"""Errors every endpoint can meet, mapped once for the whole app."""

import logging
import math

from django.db import DatabaseError, InterfaceError, OperationalError
from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.routing import Match

from infrastructure.django.errors import busy_reason
from infrastructure.throttling import RateLimitExceededError

logger = logging.getLogger(__name__)


async def _rate_limited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimitExceededError)
    return JSONResponse(
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        content={"detail": "too many requests"},
        headers={"Retry-After": str(max(1, math.ceil(exc.retry_after_s)))},
    )


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DatabaseError)
    route = getattr(request.scope.get("route"), "path", request.url.path)
    reason = busy_reason(exc)
    if reason is not None:
        # The database answers, but refused to wait longer: a lock held elsewhere, a slow query.
        logger.warning("database busy (%s) during %s %s", reason, request.method, route)
        return JSONResponse(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            content={"detail": "database busy", "reason": reason},
            headers={"Retry-After": "1"},
        )
    # The class name only: driver messages can name hosts and users.
    logger.warning(
        "database unavailable during %s %s: %s", request.method, route, type(exc).__name__
    )
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        content={"detail": "database unavailable"},
        headers={"Retry-After": "1"},
    )


async def _validation_failed(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422, with a way forward where the bound is the paging's."""
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder(exc.errors())
    for error in errors:
        if tuple(error.get("loc", ())) == ("query", "offset") and "le" in error.get("ctx", {}):
            error["msg"] += "; page further with the cursor (pass next_cursor as cursor)"
    unprocessable = status.HTTP_422_UNPROCESSABLE_CONTENT
    return JSONResponse(status_code=unprocessable, content={"detail": errors})


async def _method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    """405 with every method the path takes: Starlette names only the first route's."""
    allowed: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            allowed |= getattr(route, "methods", None) or set()
    return JSONResponse(
        status_code=status.HTTP_405_METHOD_NOT_ALLOWED,
        content={"detail": "Method Not Allowed"},
        headers={"Allow": ", ".join(sorted(allowed))},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RateLimitExceededError, _rate_limited)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(InterfaceError, _database_unavailable)
    app.add_exception_handler(RequestValidationError, _validation_failed)
    app.add_exception_handler(status.HTTP_405_METHOD_NOT_ALLOWED, _method_not_allowed)
