import pytest
from pydantic import SecretStr, ValidationError

from configs.core import INSECURE_SECRET_KEY, DjangoSettings


@pytest.mark.parametrize("secret", ["", INSECURE_SECRET_KEY, "too-short"])
def test_outside_debug_a_missing_default_or_weak_secret_key_stops_start_up(secret: str) -> None:
    with pytest.raises(ValidationError, match="DJANGO_SECRET_KEY must be set"):
        DjangoSettings(_env_file=None, debug=False, secret_key=SecretStr(secret))


def test_debug_runs_with_the_development_key() -> None:
    settings = DjangoSettings(_env_file=None, debug=True, secret_key=SecretStr(INSECURE_SECRET_KEY))

    assert settings.debug


def test_only_prefixed_variables_configure_django(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DJANGO_DEBUG", "false")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "y" * 40)

    settings = DjangoSettings(_env_file=None)

    assert settings.debug is False
    assert settings.secret_key.get_secret_value() == "y" * 40
