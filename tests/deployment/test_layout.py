"""The Procfile, docker-compose.yaml and the Dockerfile agree on how each process starts.

Docker cannot run here, so the files are checked as far as a machine without it allows: parsed,
every script they name exists and runs under bash, health checks and start-up order fit together,
and the image is built as documented. `docker compose config` also runs where a compose CLI is
installed.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "bin"
# What a service of the app runs, and the one service that runs it.
PROCESSES = {"web": "bin/web", "worker": "bin/worker", "beat": "bin/beat"}


def _procfile() -> dict[str, str]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = command.strip()
    return entries


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yaml").read_text()))


def _services() -> dict[str, dict[str, Any]]:
    return dict(_compose()["services"])


def _app_services() -> dict[str, dict[str, Any]]:
    """The services that run our image (the others are PostgreSQL and Redis)."""
    return {name: s for name, s in _services().items() if s.get("image") == "todo-service"}


def _script(command: str) -> Path:
    assert re.fullmatch(r"bin/[a-z-]+", command), f"{command!r} is not one script of bin/"
    return ROOT / command


def test_the_procfile_and_compose_start_each_process_with_the_same_script() -> None:
    procfile = _procfile()
    commands = {name: " ".join(s["command"]) for name, s in _app_services().items()}

    assert procfile == PROCESSES
    for name, script in PROCESSES.items():
        assert commands[name] == script, name
    assert set(commands.values()) == {*PROCESSES.values(), "bin/migrate", "bin/flower"}


def test_every_script_named_exists_is_executable_and_parses() -> None:
    named = set(_procfile().values())
    for service in _app_services().values():
        named.add(" ".join(service["command"]))
        if "healthcheck" in service:
            test = service["healthcheck"]["test"]
            assert test[0] == "CMD", test
            named.add(" ".join(test[1:]))
    named.add("bin/flower")  # make flower
    for command in sorted(named):
        script = _script(command)
        assert script.is_file(), command
        assert os.access(script, os.X_OK), f"{command} is not executable"
        subprocess.run(["bash", "-n", str(script)], check=True)
    assert set(os.listdir(BIN)) == {Path(c).name for c in named}, "a script nobody calls"


def test_health_checks_and_start_up_order_fit_together() -> None:
    services = _services()
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, (name, dependency)
            target = services[dependency]
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in target, f"{name} waits for {dependency}'s health check"
            elif rule["condition"] == "service_completed_successfully":
                assert target.get("restart") == "no", f"{dependency} must run once"
            else:
                pytest.fail(f"{name} -> {dependency}: unexpected {rule}")
    long_running = {n for n, s in _app_services().items() if s.get("restart") != "no"}
    for name in long_running - {"flower"}:
        assert "healthcheck" in services[name], name
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name


def test_exactly_one_beat_with_its_reason_and_a_shared_schedule_lock() -> None:
    beats = [n for n, s in _app_services().items() if s["command"] == ["bin/beat"]]
    beat = _services()["beat"]
    text = (ROOT / "docker-compose.yaml").read_text()

    assert beats == ["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "scale" not in beat
    assert "Exactly one Beat" in text.split("\n  beat:")[0].rsplit("\n\n", 1)[-1]
    schedule = Path(beat["environment"]["CELERY_BEAT_SCHEDULE_FILE"])
    assert any(v.endswith(f":{schedule.parent}") for v in beat["volumes"]), "lock not on a volume"


def test_the_api_runs_several_processes_and_flower_asks_for_a_password() -> None:
    services = _services()

    assert services["web"]["environment"]["WEB_CONCURRENCY"].startswith("${WEB_CONCURRENCY:-")
    assert int(services["web"]["environment"]["WEB_CONCURRENCY"].split(":-")[1][:-1]) >= 2
    flower = services["flower"]
    assert ":?" in flower["environment"]["FLOWER_BASIC_AUTH"]
    assert all(port.startswith("127.0.0.1:") for port in flower["ports"])


def _dockerfile() -> list[str]:
    """Instructions, with continued lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def test_the_dockerfile_builds_from_the_lock_as_a_non_root_user() -> None:
    instructions = _dockerfile()
    stages = [line.split()[-1] for line in instructions if line.startswith("FROM ")]
    copies = [line.split()[1:] for line in instructions if line.startswith("COPY ")]

    assert stages == ["build", "runtime"]
    assert "RUN uv sync --frozen --no-dev" in instructions
    assert any("collectstatic --no-input" in line for line in instructions)
    for arguments in copies:
        if arguments[0].startswith("--from="):
            assert arguments[0].removeprefix("--from=") in stages[:-1], arguments
        else:
            for source in arguments[:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: no such file"
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users, "the image sets no USER"
    assert users[-1] not in ("root", "0")
    assert instructions[-1] == 'CMD ["bin/web"]'
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "var"} <= set(ignored)


def _compose_cli() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    return None


@pytest.mark.skipif(_compose_cli() is None, reason="no compose CLI on this machine")
def test_compose_itself_accepts_the_file_and_refuses_it_without_the_secrets() -> None:
    cli = _compose_cli()
    assert cli is not None
    secrets = {"DJANGO_SECRET_KEY": "k" * 48, "POSTGRES_PASSWORD": "p", "FLOWER_BASIC_AUTH": "o:p"}
    without = {k: v for k, v in os.environ.items() if k not in secrets}

    done = subprocess.run(
        [*cli, "config", "-q"], cwd=ROOT, env=without | secrets, capture_output=True
    )
    refused = subprocess.run([*cli, "config", "-q"], cwd=ROOT, env=without, capture_output=True)

    assert done.returncode == 0, done.stderr.decode()
    assert refused.returncode != 0
    assert b"set POSTGRES_PASSWORD" in refused.stderr or b"set DJANGO_SECRET_KEY" in refused.stderr
