"""One place for how every settings class reads the environment."""

from pydantic_settings import BaseSettings, SettingsConfigDict

from configs.paths import ENV_FILE


def env_config(prefix: str) -> SettingsConfigDict:
    """Each class owns one prefix; `.env` is read too, so all processes see what `make run` sees."""
    return SettingsConfigDict(
        env_prefix=prefix,
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )


class PrefixedSettings(BaseSettings):
    """Base for our settings; subclasses must set `model_config = env_config("PREFIX_")`."""
