"""Flower's settings: open on the loopback, and beyond it only with a well-formed password."""

import pytest
from pydantic import ValidationError

from configs.monitoring import FlowerSettings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FLOWER_ADDRESS", "FLOWER_PORT", "FLOWER_BASIC_AUTH"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("basic_auth", [None, ""])
def test_the_default_is_the_loopback_without_a_password(
    monkeypatch: pytest.MonkeyPatch, basic_auth: str | None
) -> None:
    if basic_auth is not None:
        monkeypatch.setenv("FLOWER_BASIC_AUTH", basic_auth)
    settings = FlowerSettings(_env_file=None)

    assert (settings.address, settings.port, settings.basic_auth) == ("127.0.0.1", 5555, None)
    assert settings.users == []


def test_beyond_the_loopback_a_password_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWER_ADDRESS", "0.0.0.0")  # noqa: S104 - the address being refused
    with pytest.raises(ValidationError, match="set FLOWER_BASIC_AUTH"):
        FlowerSettings(_env_file=None)

    monkeypatch.setenv("FLOWER_BASIC_AUTH", "ops:s3cret,viewer:other")
    assert FlowerSettings(_env_file=None).users == ["ops", "viewer"]


@pytest.mark.parametrize("value", ["s3cret", "ops:", ":s3cret", "ops:s3cret,"])
def test_each_entry_needs_a_user_and_a_password(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("FLOWER_BASIC_AUTH", value)

    with pytest.raises(ValidationError, match="must be user:password"):
        FlowerSettings(_env_file=None)
