"""The API docs and the admin in a real browser: Debian's Chromium, headless, against uvicorn.

The machine running the tests may have no internet, and the checks must hold without it: every
request a page makes goes to the app. Chromium's own background connections are switched off.
"""

import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import global_settings
from playwright.sync_api import BrowserContext, Page, Request, sync_playwright
from pytest_django.fixtures import Settings

from core.todo.models import Todo
from tests.harness.api_server import ApiServer
from tests.harness.databases import database_url_for_processes
from tests.integration.factories import TestUserFactory

CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
RENDER_TIMEOUT_MS = 15_000

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run does)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def uvicorn_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    """Not started yet: `browser` starts it while Chromium starts. Stopped by its PID."""
    env = {**os.environ, "DATABASE_URL": database_url_for_processes()}
    server = ApiServer(env, log_path=tmp_path_factory.mktemp("uvicorn") / "uvicorn.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(
    uvicorn_server: ApiServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowserContext]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with (
        ThreadPoolExecutor(max_workers=1) as starter,
        sync_playwright() as playwright,
        pytest.MonkeyPatch.context() as patch,
    ):
        started = starter.submit(uvicorn_server.start)  # uvicorn imports the app meanwhile
        # Playwright's sync API keeps an event loop running on this thread, so Django would take
        # the tests' plain ORM calls for calls from async code.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            started.result()
            yield context
        finally:
            context.close()


@pytest.fixture
def server(uvicorn_server: ApiServer, browser: BrowserContext) -> str:
    return uvicorn_server.base_url


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    page = browser.new_page()
    page.set_default_timeout(RENDER_TIMEOUT_MS)
    try:
        yield page
    finally:
        page.close()


def _requests_of(page: Page) -> list[Request]:
    seen: list[Request] = []

    def record(request: Request) -> None:
        seen.append(request)

    page.on("request", record)
    return seen


def _sent_elsewhere(requests: list[Request], server: str) -> list[str]:
    """URLs of requests to another host that left the browser (the policy refuses the others)."""
    foreign = [r for r in requests if r.url.split(":", 1)[0] in {"http", "https", "ws", "wss"}]
    foreign = [r for r in foreign if not r.url.startswith(f"{server}/")]
    return [r.url for r in foreign if r.response() is not None or r.failure != "csp"]


def _operations(page: Page, server: str) -> dict[tuple[str, str], str]:
    """(method, path) to operation id, for every operation of the app's OpenAPI document."""
    schema = page.request.get(f"{server}/openapi.json").json()
    return {
        (method.upper(), path): operation["operationId"]
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def test_swagger_ui_renders_every_operation_from_the_app_alone(page: Page, server: str) -> None:
    expected = _operations(page, server)
    requests = _requests_of(page)

    page.goto(f"{server}/docs")
    page.wait_for_function(
        "n => document.querySelectorAll('.opblock').length >= n", arg=len(expected)
    )
    rendered = page.evaluate(
        """() => [...document.querySelectorAll('.opblock-summary')].map(summary => [
            summary.querySelector('.opblock-summary-method').textContent,
            summary.querySelector('.opblock-summary-path').dataset.path,
        ])"""
    )

    assert len(expected) >= 13
    assert {(method, path) for method, path in rendered} == set(expected)
    assert _sent_elsewhere(requests, server) == []


def test_redoc_renders_every_operation_from_the_app_alone(page: Page, server: str) -> None:
    expected = {f"operation/{operation_id}" for operation_id in _operations(page, server).values()}
    requests = _requests_of(page)

    page.goto(f"{server}/redoc")
    page.wait_for_function(
        "n => document.querySelectorAll(\"[data-section-id^='operation/']\").length >= n",
        arg=len(expected),
    )
    rendered = page.evaluate(
        """() => [...document.querySelectorAll("[data-section-id^='operation/']")]
            .map(section => section.dataset.sectionId)"""
    )

    assert set(rendered) == expected
    assert _sent_elsewhere(requests, server) == []


def test_a_staff_user_signs_in_to_the_admin_and_opens_the_todo_list(
    page: Page, server: str, user_factory: TestUserFactory, settings: Settings
) -> None:
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server's: a real hash
    staff = user_factory(username="admin", password="staff-password-1", is_staff=True,
                         is_superuser=True)  # fmt: skip
    Todo.objects.create(user=staff, title="Check the admin")

    page.goto(f"{server}/django/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "staff-password-1")
    page.click("input[type=submit]")
    page.get_by_role("link", name="Todos").click()

    page.wait_for_url(f"{server}/django/admin/todo/todo/")
    assert page.locator("#result_list").get_by_text("Check the admin").count() == 1
