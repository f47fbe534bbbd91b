"""Security defaults: headers, HSTS, CORS closed unless opened, no debug pages, secure cookies."""

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pytest_django.fixtures import Settings

from configs.api import ApiSettings
from configs.core import DjangoSettings
from infrastructure.ioc import AutoRegisteringContainer

HTTPS = "https://testserver"
YEAR = 31_536_000
APP_ORIGIN = "https://app.example.com"


def test_api_answers_carry_the_security_headers(client: TestClient) -> None:
    for response in (client.get("/v1/health"), client.get("/v1/todos"), client.get("/docs")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in response.headers


def test_the_admin_denies_framing_and_keeps_djangos_own_headers(client: TestClient) -> None:
    response = client.get("/django/admin/login/")

    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"  # Django's, left as it is
    assert [name for name, _ in response.headers.multi_items()].count("x-frame-options") == 1


def test_admin_cookies_are_secure_outside_debug(client: TestClient) -> None:
    response = client.get("/django/admin/login/")

    cookie = response.headers["set-cookie"]
    assert cookie.startswith("csrftoken=")
    assert "Secure" in cookie


@pytest.fixture
def hsts_client(
    container: AutoRegisteringContainer,
    make_client: Callable[..., TestClient],
    settings: Settings,
) -> Callable[[str], TestClient]:
    container.register(
        DjangoSettings,
        instance=DjangoSettings(secure_hsts_seconds=YEAR, secure_hsts_include_subdomains=True),
    )
    settings.SECURE_HSTS_SECONDS = YEAR
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    return lambda base_url: make_client(base_url=base_url)


def test_hsts_follows_the_settings_on_https_only(hsts_client: Callable[[str], TestClient]) -> None:
    expected = f"max-age={YEAR}; includeSubDomains"
    secure, plain = hsts_client(HTTPS), hsts_client("http://testserver")

    for path in ("/v1/health", "/django/admin/login/"):
        assert secure.get(path).headers["strict-transport-security"] == expected, path
        assert "strict-transport-security" not in plain.get(path).headers, path


def test_cors_is_closed_by_default(client: TestClient) -> None:
    simple = client.get("/v1/health", headers={"Origin": APP_ORIGIN})
    preflight = client.options(
        "/v1/todos",
        headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST"},
    )

    assert "access-control-allow-origin" not in simple.headers
    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code == 405


@pytest.fixture
def cors_client(
    container: AutoRegisteringContainer, make_client: Callable[..., TestClient]
) -> TestClient:
    container.register(ApiSettings, instance=ApiSettings(cors_allowed_origins=[APP_ORIGIN]))
    return make_client()


def test_cors_opens_to_the_listed_origins_only(cors_client: TestClient) -> None:
    request = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    listed = cors_client.options("/v1/todos", headers={"Origin": APP_ORIGIN} | request)
    other = cors_client.options("/v1/todos", headers={"Origin": "https://evil.example"} | request)
    simple = cors_client.get("/v1/health", headers={"Origin": APP_ORIGIN})

    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "authorization" in listed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in other.headers
    assert simple.headers["access-control-allow-origin"] == APP_ORIGIN
    assert simple.headers["x-content-type-options"] == "nosniff"


def _with_a_failing_route(app: FastAPI) -> FastAPI:
    async def fail() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/v1/fail", fail)
    return app


def test_no_debug_pages_outside_debug(make_app: Callable[[], FastAPI]) -> None:
    with TestClient(_with_a_failing_route(make_app()), raise_server_exceptions=False) as client:
        api = client.get("/v1/fail")
        admin = client.get("/django/no-such-page/")

    assert api.status_code == 500
    assert api.text == "Internal Server Error"
    assert admin.status_code == 404
    assert "URLconf" not in admin.text
    assert "Traceback" not in admin.text


def test_debug_pages_only_with_debug(
    container: AutoRegisteringContainer,
    make_app: Callable[[], FastAPI],
    settings: Settings,
) -> None:
    container.register(DjangoSettings, instance=DjangoSettings(debug=True))
    settings.DEBUG = True
    with TestClient(_with_a_failing_route(make_app()), raise_server_exceptions=False) as client:
        api = client.get("/v1/fail")
        admin = client.get("/django/no-such-page/")

    assert "secret internals" in api.text
    assert "URLconf" in admin.text
