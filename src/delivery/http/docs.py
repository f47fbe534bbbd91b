"""The interactive API docs, served whole by the app: Swagger UI at /docs, ReDoc at /redoc.

FastAPI's own pages load their scripts from a CDN and stay blank without internet (offline, behind a
proxy). fastapi-offline ships the same bundles in its wheel; the app serves them under /docs/assets.
ReDoc still links its footer logo to a CDN, so both pages carry a Content-Security-Policy that lets
them load from the app alone: the browser never tries another host.
"""

from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"
# Inline: Swagger UI's start-up script and both pages' styles; blob: ReDoc's search worker.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)


def fastapi_with_offline_docs(**options: Any) -> FastAPI:
    """A FastAPI app whose docs pages need nothing but the app; `options` go to FastAPI."""
    app = FastAPIOffline(
        docs_url=DOCS_URL,
        redoc_url=REDOC_URL,
        static_url=ASSETS_URL,
        # Swagger UI would otherwise send the schema to an online validator for its badge.
        swagger_ui_parameters={"validatorUrl": None},
        **options,
    )
    app.add_middleware(DocsPagesPolicy)
    return app


class DocsPagesPolicy:
    """Adds the policy header to the two docs pages; every other request passes straight on."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._pages = {DOCS_URL, REDOC_URL}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self._pages:
            await self._app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", [])]
                headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self._app(scope, receive, send_with_policy)
