import runpy
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from configs import django as django_settings_module
from configs.core import INSECURE_SECRET_KEY, DjangoSettings


def _django_settings_for(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """What the Django settings module makes of these variables (run anew; Django's own stay)."""
    for name, value in {"DJANGO_SECURE_COOKIES": "true", **env}.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(django_settings_module.__file__)


@pytest.mark.parametrize("secret", ["", INSECURE_SECRET_KEY, "too-short"])
def test_outside_debug_a_missing_default_or_weak_secret_key_stops_start_up(secret: str) -> None:
    with pytest.raises(ValidationError, match="DJANGO_SECRET_KEY must be set"):
        DjangoSettings(_env_file=None, debug=False, secret_key=SecretStr(secret))


def test_debug_starts_with_the_development_key_and_cookies_that_work_over_http(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = _django_settings_for(
        monkeypatch, DJANGO_DEBUG="true", DJANGO_SECRET_KEY=INSECURE_SECRET_KEY
    )

    assert settings["DEBUG"] is True
    assert settings["SECRET_KEY"] == INSECURE_SECRET_KEY
    assert settings["SESSION_COOKIE_SECURE"] is settings["CSRF_COOKIE_SECURE"] is False
    assert settings["WHITENOISE_AUTOREFRESH"] is True  # edited admin assets show up at once


def test_outside_debug_admin_cookies_are_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _django_settings_for(monkeypatch, DJANGO_DEBUG="false", DJANGO_SECRET_KEY="s" * 40)

    assert settings["DEBUG"] is False
    assert settings["SESSION_COOKIE_SECURE"] is settings["CSRF_COOKIE_SECURE"] is True
    assert settings["WHITENOISE_AUTOREFRESH"] is False


def test_only_prefixed_variables_configure_django(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DJANGO_DEBUG", "false")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "y" * 40)

    settings = DjangoSettings(_env_file=None)

    assert settings.debug is False
    assert settings.secret_key.get_secret_value() == "y" * 40
