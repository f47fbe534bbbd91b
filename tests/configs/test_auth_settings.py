import pytest

from configs.auth import JWTSettings


def test_an_empty_jwt_secret_means_derive_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", "")

    assert JWTSettings(_env_file=None).secret_key is None


def test_a_jwt_secret_is_kept_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", "s" * 40)
    settings = JWTSettings(_env_file=None)

    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "s" * 40
    assert "s" * 40 not in repr(settings)
