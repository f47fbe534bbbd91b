"""Settings for what the HTTP API accepts from clients and which browsers may call it."""

from pydantic import Field

from configs.base import PrefixedSettings, env_config


class ApiSettings(PrefixedSettings):
    model_config = env_config("API_")

    # A request body longer than this answers 413 before it is read (every route, the admin too).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    # Origins (such as "https://app.example.com") whose pages may call the API from a browser.
    # Empty, the default: no cross-origin call is allowed.
    cors_allowed_origins: list[str] = Field(default_factory=list)
