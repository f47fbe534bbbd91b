"""Settings for Flower, the task dashboard (`make flower`)."""

from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from configs.base import PrefixedSettings, env_config

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class FlowerSettings(PrefixedSettings):
    """Flower reads the same variables itself; `delivery.tasks.monitoring` passes them on."""

    model_config = env_config("FLOWER_")

    address: str = "127.0.0.1"
    port: int = Field(default=5555, ge=1, le=65535)
    # "user:password", or several separated by commas. Flower can revoke and terminate tasks and
    # shut workers down, so it listens beyond this machine only with a password.
    basic_auth: SecretStr | None = None

    @field_validator("basic_auth", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """`FLOWER_BASIC_AUTH=` as `.env.example` shows it means no password, not an empty one."""
        return None if value == "" else value

    @property
    def users(self) -> list[str]:
        """The user names of `basic_auth`, never the passwords."""
        return [user for user, _ in self._pairs()]

    def _pairs(self) -> list[tuple[str, str]]:
        if self.basic_auth is None:
            return []
        entries = self.basic_auth.get_secret_value().split(",")
        return [(user, password) for user, _, password in (e.partition(":") for e in entries)]

    @model_validator(mode="after")
    def _password_beyond_loopback(self) -> Self:
        pairs = self._pairs()
        if self.basic_auth is not None and not all(user and password for user, password in pairs):
            raise ValueError("FLOWER_BASIC_AUTH must be user:password, or several separated by ,")
        if self.basic_auth is None and self.address not in LOOPBACK:
            msg = (
                f"FLOWER_ADDRESS={self.address} reaches beyond this machine: set "
                "FLOWER_BASIC_AUTH=user:password too (Flower can revoke tasks and stop workers)"
            )
            raise ValueError(msg)
        return self
