"""What every HTTP request leaves behind: a request id, a log line and its metrics.

A pure ASGI middleware, so a request pays for no extra Starlette machinery: it takes the caller's
`X-Request-ID` (when safe) or makes one, returns it in the response, and once the response is
sent logs one line (method, route template, status, duration, request id, user id) and counts
the request by route template and status. Unmatched paths count as one route, so a scan of
random URLs cannot blow up the metrics. With tracing on it also opens the request's span (except
for `TRACING_EXCLUDED_URLS`), named by method and route template.
"""

import contextlib
import hmac
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from configs.observability import MetricsSettings, TracingSettings
from infrastructure.observability import metrics, spans
from infrastructure.observability.context import (
    REQUEST_ID_HEADER,
    accepted_request_id,
    enter_request,
    leave_request,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

logger = logging.getLogger("todo.http")

METRICS_PATH = "/metrics"
_UNTRACED = contextlib.nullcontext()
UNMATCHED = "<unmatched>"
_HEADER = REQUEST_ID_HEADER.encode()


class RequestObservability:
    def __init__(
        self,
        app: ASGIApp,
        *,
        http_metrics: metrics.HttpMetrics | None,
        untraced: re.Pattern[str] | None = None,
    ) -> None:
        self._app = app
        self._metrics = http_metrics
        self._untraced = untraced

    def _excluded(self, path: str) -> bool:
        return self._untraced is not None and self._untraced.search(path) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        request_id = accepted_request_id(_header(scope, _HEADER))
        token = enter_request(request_id)
        header = (_HEADER, request_id.encode())
        status = 500  # unless a response starts: an exception escaped
        route = None  # known once routing is done
        root_path = scope.get("root_path", "")  # a mounted app (the admin) extends it
        traced = spans.enabled() and not self._excluded(scope["path"])

        async def send_with_id(message: Message) -> None:
            nonlocal status, route
            if message["type"] == "http.response.start":
                status = message["status"]
                route = _route_template(scope, root_path)
                message["headers"] = [*message.get("headers", ()), header]
                if traced:  # name the span by the route template
                    spans.name_request_span(scope["method"], route, status)
            await send(message)

        started = time.perf_counter()
        request_span = spans.request_span(scope, request_id) if traced else _UNTRACED
        try:
            with request_span:  # the log line is written inside it, so it has the trace id
                try:
                    await self._app(scope, receive, send_with_id)
                finally:
                    route = route or _route_template(scope, root_path)
                    self._record(scope["method"], route, status, time.perf_counter() - started)
        finally:
            leave_request(token)

    def _record(self, method: str, route: str, status: int, seconds: float) -> None:
        if self._metrics is not None:
            self._metrics.observe(method, route, status, seconds)

        if logger.isEnabledFor(logging.INFO):  # request and user ids come from the log filter
            duration_ms = round(seconds * 1000, 2)
            fields = {"method": method, "route": route, "status": status,
                      "duration_ms": duration_ms}  # fmt: skip
            logger.info(
                "%s %s %s %.2f ms", method, route, status, duration_ms, extra={"fields": fields}
            )


def _route_template(scope: Scope, root_path: str) -> str:
    """The matched route's path template; a mounted app's (the admin's) is its prefix."""
    route = getattr(scope.get("route"), "path", None)
    if route:
        return str(route)
    mounted = scope.get("root_path", "")
    if mounted != root_path:
        return f"{mounted}/{{path}}"
    return UNMATCHED


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


@dataclass(kw_only=True)
class HttpObservability:
    """Wires an app: request spans (with tracing on), the middleware, and `/metrics`."""

    _metrics_settings: MetricsSettings
    _tracing_settings: TracingSettings

    def install(self, app: "FastAPI") -> None:
        settings = self._metrics_settings
        directory = metrics.prepare_metrics(settings, role="api")
        http_metrics = metrics.HttpMetrics() if directory is not None else None
        app.add_middleware(
            RequestObservability,
            http_metrics=http_metrics,
            untraced=_untraced(self._tracing_settings.excluded_urls),
        )
        if directory is not None:
            app.add_api_route(
                METRICS_PATH, _metrics_endpoint(settings), methods=["GET"], include_in_schema=False
            )


def _untraced(excluded_urls: str) -> re.Pattern[str] | None:
    patterns = [pattern.strip() for pattern in excluded_urls.split(",") if pattern.strip()]
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns)) if patterns else None


def _metrics_endpoint(settings: MetricsSettings) -> Any:
    from starlette.requests import Request
    from starlette.responses import Response

    expected = settings.token.get_secret_value().encode() if settings.token else b""

    async def serve(request: Request) -> Response:
        if expected:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").encode()
            if not hmac.compare_digest(given, expected):
                return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    return serve
