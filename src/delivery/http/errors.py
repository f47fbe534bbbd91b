"""Errors every endpoint can meet, mapped once for the whole app."""

import logging
import math

from django.db import InterfaceError, OperationalError
from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

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
    # The class name only: driver messages can name hosts and users.
    logger.warning(
        "database unavailable during %s %s: %s",
        request.method,
        request.url.path,
        type(exc).__name__,
    )
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        content={"detail": "database unavailable"},
        headers={"Retry-After": "1"},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RateLimitExceededError, _rate_limited)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(InterfaceError, _database_unavailable)
