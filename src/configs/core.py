"""Settings for Django itself, the database and logging."""

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator

from configs.base import PrefixedSettings, env_config
from configs.paths import VAR_DIR

INSECURE_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - rejected outside debug


class DjangoSettings(PrefixedSettings):
    model_config = env_config("DJANGO_")

    debug: bool = False
    secret_key: SecretStr = SecretStr(INSECURE_SECRET_KEY)
    allowed_hosts: list[str] = Field(default_factory=lambda: ["localhost", "127.0.0.1"])
    csrf_trusted_origins: list[str] = Field(default_factory=list)
    time_zone: str = "UTC"
    # Secure cookies need HTTPS; switch off only when serving the admin over plain HTTP on purpose.
    secure_cookies: bool = True
    # Strict-Transport-Security on HTTPS answers (the API and the admin); 0 sends none. Set it
    # only once every client reaches the service over HTTPS: browsers remember it that long.
    secure_hsts_seconds: int = Field(default=0, ge=0)
    secure_hsts_include_subdomains: bool = False
    secure_hsts_preload: bool = False

    @model_validator(mode="after")
    def _require_real_secret_outside_debug(self) -> Self:
        secret = self.secret_key.get_secret_value()
        if not self.debug and (not secret or secret == INSECURE_SECRET_KEY or len(secret) < 32):
            msg = (
                "DJANGO_SECRET_KEY must be set to a random value of at least 32 characters "
                "when DJANGO_DEBUG is false (run `make .env` to generate one for development)"
            )
            raise ValueError(msg)
        return self


class DatabaseSettings(PrefixedSettings):
    model_config = env_config("DATABASE_")

    url: SecretStr = SecretStr(f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    conn_max_age: int = 60
    test_name: str | None = None
    # Threads, each with its own connection, that run an API process's ORM work.
    pool_size: int = Field(default=8, ge=1, le=256)
    # What one statement of the API may take, and how long it may wait for a lock (PostgreSQL;
    # on SQLite the lock wait is the busy timeout). The worker has its own, longer limits.
    statement_timeout_s: float = Field(default=5.0, gt=0)
    lock_timeout_s: float = Field(default=2.0, gt=0)
    worker_statement_timeout_s: float = Field(default=120.0, gt=0)
    worker_lock_timeout_s: float = Field(default=20.0, gt=0)


class LoggingSettings(PrefixedSettings):
    model_config = env_config("LOGGING_")

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # "json": one JSON object per line, for a log collector.
    format: Literal["text", "json"] = "text"
