"""API benchmark knobs: the defaults are the documented protocol, overrides are for quick runs."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiBenchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BENCH_", extra="ignore", frozen=True)

    duration: int = Field(default=15, ge=1, description="seconds measured per endpoint and round")
    warmup: int = Field(default=3, ge=0, description="seconds of unmeasured load before each one")
    rounds: int = Field(default=3, ge=1, description="rounds; endpoints interleave within a round")
    connections: int = Field(default=16, ge=1)
    threads: int = Field(default=2, ge=1)
    probes: bool = Field(default=True, description="load the probes beside the ceiling")
    profile: bool = Field(default=True, description="profile the list endpoint with py-spy")
    profile_duration: int = Field(default=10, ge=1)
    docs: bool = Field(default=True, description="append the results to docs/benchmarks.md")
    app: str = Field(default="bench.api.app:app", description="the ASGI app uvicorn serves")

    def overrides(self) -> dict[str, str]:
        """Settings that differ from the defaults, as the environment variables that set them."""
        return {
            f"BENCH_{name.upper()}": str(value).lower() if isinstance(value, bool) else str(value)
            for name, value in self.model_dump(exclude_defaults=True).items()
        }
