"""Settings: pydantic classes read from prefixed environment variables, plus the Django settings module."""
