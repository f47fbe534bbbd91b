"""The Django admin's login form counts against the API's login limit.

Each attempt on the admin's form guesses a staff password and costs a password hash, exactly like
`POST /v1/users/me/token`, so both count against the same `login` limit, per client address and
per username: using the other door gives no extra guesses. Django itself limits nothing.
"""

from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from delivery.http.client import login_subjects
from infrastructure.throttling import RequestThrottle

LOGIN_PATH = "/admin/login/"  # within the admin's mount
_MAX_FORM_BYTES = 64 * 1024  # a login form is a few hundred bytes; past this, the address only


@dataclass(kw_only=True)
class AdminLoginLimit:
    _throttle: RequestThrottle

    def __call__(self, admin: ASGIApp) -> ASGIApp:
        """`admin` behind the limit. Over it, `RateLimitExceededError` answers 429 (errors.py)."""

        async def limited(scope: Scope, receive: Receive, send: Send) -> None:
            if _is_login_attempt(scope):
                head, complete = await read_form(receive)
                username = _username(head) if complete else None
                await self._throttle.check("login", *login_subjects(Request(scope), username))
                receive = replay_body(head, complete, receive)
            await admin(scope, receive, send)

        return limited


def _is_login_attempt(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    path: str = scope["path"]
    return path.removeprefix(scope.get("root_path", "")) == LOGIN_PATH


async def read_form(receive: Receive) -> tuple[bytes, bool]:
    """The body, up to a bound; True when that is all of it."""
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return body, True  # the client left; Django sees an empty form
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return body, True
        if len(body) > _MAX_FORM_BYTES:
            return body, False


def _username(form: bytes) -> str | None:
    values = parse_qs(form.decode("utf-8", errors="replace")).get("username")
    return values[0] if values else None


def replay_body(head: bytes, complete: bool, receive: Receive) -> Receive:
    """Hands Django the body already read, then whatever is still to come."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": head, "more_body": not complete}

    return replay
