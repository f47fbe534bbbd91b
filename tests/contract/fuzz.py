"""`make fuzz`: schemathesis checks the running API against its own OpenAPI document.

It migrates a SQLite database in a temporary folder (the embedded default, with the folder broker
beside it), serves the API from a real uvicorn process on a free port, signs in a fresh staff
user, and runs schemathesis with every check, a fixed seed, and all four phases, stateful
included. The server is stopped (its process group, by PID) however the run ends. It fails unless
schemathesis finds nothing, generated at least `--min-cases` cases and ran its stateful phase.

    uv run python -m tests.contract.fuzz --seed 7 --max-examples 300
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.harness.api_server import ROOT_DIR, SRC_DIR, ApiServer

HOOKS = Path(__file__).with_name("hooks.py")
USERNAME = "fuzzer"
# Generous limits, so the fuzzer explores the routes instead of their 429s (tested on their own).
_RULES = ("LOGIN", "SIGNUP", "REFRESH", "TASKS", "TODO_WRITES")
_UNTHROTTLED = {f"THROTTLE_{rule}": "100000/m" for rule in _RULES}


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with tempfile.TemporaryDirectory(prefix="todo-fuzz-") as scratch:
        folder = Path(scratch)
        env = _environment(folder)
        password = secrets.token_urlsafe(24)
        _manage(env, "migrate", "--no-input", "-v", "0")
        _manage(
            env | {"DJANGO_SUPERUSER_PASSWORD": password},
            "createsuperuser", "--no-input", "--username", USERNAME, "--email", "fuzz@example.com",
        )  # fmt: skip
        report = folder / "schemathesis.json"
        started = time.monotonic()
        with ApiServer(env, log_path=folder / "uvicorn.log") as server:
            token = _access_token(server.base_url, password)
            code = _schemathesis(server.base_url, token, args, report)
            if code != 0:
                print(f"--- the server's log ---\n{server.log_tail(80)}", file=sys.stderr)
        return _verdict(code, report, args, time.monotonic() - started)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "20261201")))
    parser.add_argument(
        "--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "60"))
    )
    parser.add_argument("--min-cases", type=int, default=1000)
    parser.add_argument("--workers", default=os.environ.get("FUZZ_WORKERS", "2"))
    return parser.parse_args(argv)


def _environment(folder: Path) -> dict[str, str]:
    """The defaults, wherever `.env` points: variables set here win over it."""
    return {
        **os.environ,
        "PYTHONPATH": str(SRC_DIR),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_ACCESS_TOKEN_TTL_S": "7200",  # outlives the longest run
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "CELERY_EMBEDDED_DIR": str(folder / "celery"),
        "REDIS_URL": "",
        **_UNTHROTTLED,
    }


def _manage(env: dict[str, str], *command: str) -> None:
    manage = [sys.executable, str(SRC_DIR / "manage.py"), *command]
    subprocess.run(manage, cwd=ROOT_DIR, env=env, check=True, stdin=subprocess.DEVNULL)


def _access_token(base_url: str, password: str) -> str:
    response = httpx.post(
        f"{base_url}/v1/users/me/token",
        json={"username": USERNAME, "password": password},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _schemathesis(base_url: str, token: str, args: argparse.Namespace, report: Path) -> int:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{base_url}/openapi.json",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--seed", str(args.seed),
        "--max-examples", str(args.max_examples),
        "--workers", str(args.workers),
        "--header", f"Authorization: Bearer {token}",
        "--request-timeout", "30",
        "--generation-database", "none",  # the seed alone decides the run
        "--report", "json", "--report-json-path", str(report),
    ]  # fmt: skip
    env = os.environ | {"SCHEMATHESIS_HOOKS": str(HOOKS)}
    return subprocess.run(command, cwd=ROOT_DIR, env=env, check=False).returncode


def _verdict(code: int, report: Path, args: argparse.Namespace, elapsed_s: float) -> int:
    if not report.exists():
        print("fuzz: schemathesis wrote no report", file=sys.stderr)
        return code or 1
    document: dict[str, Any] = json.loads(report.read_text())
    cases = document["test_cases"]["generated"]
    stateful = (document.get("phases") or {}).get("stateful", {}).get("status")
    print(
        f"fuzz: seed {args.seed}, {cases} cases, {len(document['failures'])} kinds of failure, "
        f"{document['filtered']} documented password refusals set aside, stateful phase "
        f"{stateful}, {elapsed_s:.0f} s"
    )
    if code != 0:
        return code
    if cases < args.min_cases:
        print(f"fuzz: only {cases} cases, fewer than {args.min_cases}", file=sys.stderr)
        return 1
    if stateful != "success":
        print(f"fuzz: the stateful phase did not pass ({stateful})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
