"""/docs and /redoc come whole from the app: every asset a page names is served by it."""

import re

import pytest

from delivery.http.docs import DOCS_URL, REDOC_URL
from tests.integration.factories import TestClientFactory

ASSET = re.compile(r'(?:src|href)="([^"]+)"')
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@pytest.mark.parametrize("page", [DOCS_URL, REDOC_URL])
def test_a_docs_page_needs_nothing_but_the_app(
    test_client_factory: TestClientFactory, page: str
) -> None:
    client = test_client_factory()

    html = client.get(page)
    assets = ASSET.findall(html.text)

    assert html.status_code == 200
    assert {asset.rsplit(".", 1)[-1] for asset in assets} >= {"js", "png"}
    for asset in assets:
        assert asset.startswith("/"), asset  # on this host: not "https://...",
        assert not asset.startswith("//"), asset  # nor "//host/..."
        response = client.get(asset)
        assert response.status_code == 200, asset
        suffix = asset[asset.rindex(".") :]
        assert response.headers["content-type"].startswith(CONTENT_TYPES[suffix]), asset
    assert "://" not in html.text.replace("window.location.origin", "")


def test_swagger_ui_sends_the_schema_to_no_online_validator(
    test_client_factory: TestClientFactory,
) -> None:
    assert '"validatorUrl": null' in test_client_factory().get(DOCS_URL).text


def test_the_schema_lists_the_api_and_not_the_docs_pages(
    test_client_factory: TestClientFactory,
) -> None:
    paths = test_client_factory().get("/openapi.json").json()["paths"]

    assert {"/v1/users/", "/v1/users/me/token", "/v1/todos", "/v1/todos/{todo_id}"} <= set(paths)
    assert not {DOCS_URL, REDOC_URL} & set(paths)
