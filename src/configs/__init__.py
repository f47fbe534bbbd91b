"""Settings: pydantic classes read from prefixed environment variables, and Django's settings."""
