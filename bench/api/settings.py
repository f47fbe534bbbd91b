"""API benchmark knobs: the defaults are the documented protocol, overrides are for quick runs."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SCENARIOS = ("routes", "lock-stall", "noisy-neighbour", "scale", "observability")


class ApiBenchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BENCH_", extra="ignore", frozen=True)

    duration: int = Field(default=15, ge=1, description="seconds measured per load and round")
    warmup: int = Field(default=3, ge=0, description="seconds of unmeasured load before each")
    rounds: int = Field(default=3, ge=1)
    connections: int = Field(default=16, ge=1)
    threads: int = Field(default=2, ge=1)
    scenarios: str = ",".join(SCENARIOS)
    scale_sizes: str = Field(default="20,10000,100000,1000000", description="todos per user")
    scale_duration: int = Field(default=5, ge=1, description="seconds per first-page latency")

    def chosen(self) -> list[str]:
        names = [name.strip() for name in self.scenarios.split(",") if name.strip()]
        if unknown := set(names) - set(SCENARIOS):
            raise ValueError(f"BENCH_SCENARIOS: unknown {sorted(unknown)}; choose from {SCENARIOS}")
        return names

    def sizes(self) -> list[int]:
        return [int(size) for size in self.scale_sizes.split(",")]

    def overrides(self) -> str:
        changed = self.model_dump(exclude_defaults=True)
        return " ".join(f"BENCH_{name.upper()}={value}" for name, value in changed.items())
