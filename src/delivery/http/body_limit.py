"""Request bodies above a limit answer 413, before they are read, whatever they claim.

A declared `Content-Length` above the limit is refused before the app runs at all, so a route
that never reads its body (a DELETE) does nothing either. A body without a length (chunked) or
with a false one is counted as it arrives; once past the limit the app's own answer is dropped
and 413 sent in its place, and nothing more is read. The server buffers a few chunks at most.

Starlette's `RequestBodyLimitMiddleware` lets the app run to its answer on a declared length and
answers in plain text; this one refuses first and in the API's JSON.
"""

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLargeError(Exception):
    pass


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self._refusal = JSONResponse(
            {"detail": f"request body too large: at most {max_body_bytes} bytes"},
            status_code=413,
            headers={"Connection": "close"},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and not (declared.isascii() and declared.isdigit()):
            declared = None  # the server refuses a malformed length before we see it
        if declared is not None and int(declared) > self.max_body_bytes:
            await self._refusal(scope, receive, send)
            return

        received = 0
        too_large = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                raise _TooLargeError
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    too_large = True
                    raise _TooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # the app's answer to a body it could not finish reading
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:  # however the app reacted to the refusal (Django re-raises it)
            if not too_large:
                raise
        if too_large and not started:
            await self._refusal(scope, receive, send)
