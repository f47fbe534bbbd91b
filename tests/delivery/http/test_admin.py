"""The Django admin, served by the same app under /django, with DJANGO_DEBUG=false."""

from django.conf import settings
from fastapi.testclient import TestClient


def test_admin_login_page_renders_without_debug(client: TestClient) -> None:
    assert settings.DEBUG is False

    response = client.get("/django/admin/login/")

    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.text
    assert 'href="/django/static/admin/css/base.css"' in response.text


def test_admin_redirects_anonymous_users_to_its_login(client: TestClient) -> None:
    response = client.get("/django/admin/", follow_redirects=False)

    assert response.status_code == 302
    assert response.headers["location"].startswith("/django/admin/login/")


def test_admin_static_files_are_served(client: TestClient) -> None:
    response = client.get("/django/static/admin/css/base.css")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
