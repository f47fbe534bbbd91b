"""Headers that tell browsers to be careful with every answer, the API's and the admin's alike.

Only headers an answer does not already carry are added: the admin's own (Django's
SecurityMiddleware and X-Frame-Options) stay as Django sends them.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


def hsts_value(seconds: int, *, include_subdomains: bool, preload: bool) -> str | None:
    """The Strict-Transport-Security value for these settings; None when it is off."""
    if seconds <= 0:
        return None
    parts = [f"max-age={seconds}"]
    parts += ["includeSubDomains"] if include_subdomains else []
    parts += ["preload"] if preload else []
    return "; ".join(parts)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: str | None) -> None:
        self.app = app
        self._plain = _ALWAYS
        self._secure = _ALWAYS + (((b"strict-transport-security", hsts.encode()),) if hsts else ())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # HTTPS as uvicorn saw it; behind a proxy, `--proxy-headers` takes X-Forwarded-Proto.
        extra = self._secure if scope.get("scheme") == "https" else self._plain

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
