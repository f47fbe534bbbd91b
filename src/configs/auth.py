"""Settings for tokens and request throttling."""

from pydantic import SecretStr, field_validator

from configs.base import PrefixedSettings, env_config


class JWTSettings(PrefixedSettings):
    model_config = env_config("JWT_")

    # Unset (or empty) derives a key from DJANGO_SECRET_KEY, so a deployment has one secret to set.
    secret_key: SecretStr | None = None
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 14 * 24 * 3600
    issuer: str = "todo-service"
    leeway_s: int = 0

    @field_validator("secret_key", mode="before")
    @classmethod
    def _empty_means_unset(cls, value: object) -> object:
        return None if value == "" else value


class RedisSettings(PrefixedSettings):
    model_config = env_config("REDIS_")

    url: SecretStr | None = None


class ThrottleSettings(PrefixedSettings):
    model_config = env_config("THROTTLE_")

    enabled: bool = True
    login: str = "10/m"
    signup: str = "5/m"
    refresh: str = "30/m"
    tasks: str = "10/m"
    # Creating, changing and deleting todos, per user.
    todo_writes: str = "120/m"
