"""Settings for what one user may store."""

from pydantic import Field

from configs.base import PrefixedSettings, env_config


class TodoSettings(PrefixedSettings):
    model_config = env_config("TODO_")

    # Todos one user may have at once; creating more answers 409. 0 means no limit.
    max_per_user: int = Field(default=10_000, ge=0)
