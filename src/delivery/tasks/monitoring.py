"""`make flower`: Flower on the configured broker (`python -m delivery.tasks.monitoring`).

It listens on `FLOWER_ADDRESS` (127.0.0.1 unless told) and asks for `FLOWER_BASIC_AUTH` when set,
which reaches Flower through its environment, never its command line, so no `ps` shows the
password; what is printed names the users only. Flower's own `FLOWER_*` options (such as
`FLOWER_URL_PREFIX`) pass through unchanged.
"""

import os
import sys
from pathlib import Path

from pydantic import ValidationError

from configs.monitoring import FlowerSettings

SRC_DIR = Path(__file__).resolve().parents[2]


def flower_command(settings: FlowerSettings) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that start Flower with `settings`."""
    command = [
        sys.executable, "-m", "celery", "-A", "delivery.tasks.app", "flower",
        f"--address={settings.address}", f"--port={settings.port}",
    ]  # fmt: skip
    env = {**os.environ, "FLOWER_ADDRESS": settings.address, "FLOWER_PORT": str(settings.port)}
    env.pop("FLOWER_BASIC_AUTH", None)
    if settings.basic_auth is not None:
        env["FLOWER_BASIC_AUTH"] = settings.basic_auth.get_secret_value()
    return command, env


def main() -> None:
    try:
        settings = FlowerSettings()
    except ValidationError as exc:  # its text would show the input, the password included
        reasons = "; ".join(
            str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()
        )
        sys.exit(f"bin/flower: {reasons}")
    command, env = flower_command(settings)
    auth = f"basic auth for {', '.join(settings.users)}" if settings.users else "no password"
    print(f"Flower on http://{settings.address}:{settings.port}/ ({auth})", flush=True)
    os.chdir(SRC_DIR)
    os.execve(command[0], command, env)  # noqa: S606 - Flower takes this process's place


if __name__ == "__main__":
    main()
