"""Flower in a process of its own, started by `bin/flower` exactly as `make flower` starts it.

It gets a free port of 127.0.0.1 and the environment it is given (the broker, `FLOWER_BASIC_AUTH`),
its own session, and is stopped by its pid.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tests.harness.api_server import ROOT_DIR, HttpProcess

__all__ = ["ROOT_DIR", "FlowerServer"]


class FlowerServer(HttpProcess):
    name = "Flower"

    def __init__(self, env: Mapping[str, str], *, log_path: Path) -> None:
        super().__init__(env, log_path=log_path, ready_path="/healthcheck")

    def _command(self) -> list[str]:
        return [str(ROOT_DIR / "bin" / "flower")]

    def _process_env(self) -> dict[str, str]:
        return {**self._env, "FLOWER_ADDRESS": "127.0.0.1", "FLOWER_PORT": str(self.port)}
