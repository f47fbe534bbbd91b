"""Filesystem locations shared by every process, so the API, worker and Beat agree on them."""

from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = ROOT_DIR / "var"
ENV_FILE = ROOT_DIR / ".env"
