"""The admin's login form shares the API's login limit, and still signs staff in below it."""

import asyncio
import re
from collections.abc import Callable

from django.contrib.auth import get_user_model
from fastapi.testclient import TestClient
from starlette.types import Message

from configs.auth import ThrottleSettings
from delivery.http.admin_login import read_form, replay_body
from infrastructure.ioc import AutoRegisteringContainer
from tests.delivery.http.conftest import PASSWORD, sign_up

LOGIN = "/django/admin/login/"


def _login_form(client: TestClient, username: str) -> dict[str, str]:
    page = client.get(LOGIN)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    return {
        "csrfmiddlewaretoken": token.group(1),
        "username": username,
        "password": PASSWORD,
        "next": "/django/admin/",
    }


def test_staff_sign_in_through_the_limited_form(make_client: Callable[..., TestClient]) -> None:
    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    # Without debug the CSRF cookie is Secure, and Django checks the Referer of HTTPS posts.
    client = make_client(base_url="https://testserver")

    form = _login_form(client, "root")
    referer = {"Referer": f"https://testserver{LOGIN}"}
    response = client.post(LOGIN, data=form, headers=referer, follow_redirects=False)

    assert response.status_code == 302, response.text
    assert response.headers["location"] == "/django/admin/"
    assert client.get("/django/admin/").status_code == 200


def test_admin_attempts_count_against_the_api_login_limit(
    container: AutoRegisteringContainer, make_client: Callable[..., TestClient]
) -> None:
    generous = ThrottleSettings(login="3/m", signup="10000/m", refresh="10000/m")
    container.register(ThrottleSettings, instance=generous)
    client = make_client()
    sign_up(client, "alice")
    guess = {"username": "alice", "password": "not-it"}

    statuses = [client.post(LOGIN, data=guess).status_code for _ in range(3)]
    limited = client.post(LOGIN, data=guess)
    api_login = client.post("/v1/users/me/token", json={"username": "alice", "password": PASSWORD})

    assert statuses == [403, 403, 403]  # no CSRF token: Django refuses, but each one counted
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert api_login.status_code == 429
    assert client.get(LOGIN).status_code == 200  # the page itself is never limited


def test_a_long_body_is_passed_on_whole_after_the_bounded_read() -> None:
    chunks = [b"username=alice&pad=", b"x" * 40_000, b"x" * 40_000, b"&end=1"]
    messages = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]

    async def receive() -> Message:
        return messages.pop(0)

    async def read_all() -> tuple[bool, bytes]:
        head, complete = await read_form(receive)
        replayed, body, more = replay_body(head, complete, receive), b"", True
        while more:
            message = await replayed()
            body, more = body + message["body"], message["more_body"]
        return complete, body

    complete, body = asyncio.run(read_all())

    assert not complete  # past the bound, so the username is not read: the address still counts
    assert body == b"".join(chunks)
