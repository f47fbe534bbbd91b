"""Start and stop throwaway PostgreSQL, Redis and RabbitMQ servers for tests and benchmarks.

Servers are cleaned up by ``stop()``, by leaving a ``with`` block, or at interpreter exit.
Set ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` to use external servers instead.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Protocol, Self
from urllib.parse import urlsplit, urlunsplit

import amqp
import psycopg
import redis
from psycopg import sql

from tests.harness.processes import Managed, kill_process_group, stop_process, tail_lines

PG_SYSTEM_USER = "todo_pg"


class Server(Protocol):
    @property
    def url(self) -> str: ...
    def stop(self) -> None: ...


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require(binary: str, apt_package: str) -> str:
    """Return the path of ``binary``, or raise explaining how to install it."""
    found = shutil.which(binary)
    if found is None:
        raise RuntimeError(f"{binary!r} not found; install it: apt-get install -y {apt_package}")
    return found


def _pg_bin(name: str) -> str:
    def version(bindir: str) -> list[int]:
        return [int(p) for p in Path(bindir).parent.name.split(".") if p.isdigit()]

    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if os.access(os.path.join(bindir, name), os.X_OK):
            return os.path.join(bindir, name)
    return require(name, "postgresql")


class _Managed(Managed):
    """A server with a scratch folder; at interpreter exit it is stopped if nobody did."""

    def _make_tmp(self, prefix: str) -> Path:
        atexit.register(self.stop)
        return Path(tempfile.mkdtemp(prefix=prefix))


class PostgresServer(_Managed):
    """A private PostgreSQL cluster on 127.0.0.1: trust auth, no durability."""

    def __init__(self) -> None:
        self.port = 0
        self._tmp: Path | None = None
        self._as_root = os.geteuid() == 0

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def _run(self, tmp: Path, *args: str, check: bool = True) -> None:
        prefix = ["runuser", "-u", PG_SYSTEM_USER, "--"] if self._as_root else []
        proc = subprocess.run([*prefix, *args], cwd=tmp, capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{Path(args[0]).name} {args[-1]} failed ({proc.returncode}):\n"
                f"{proc.stdout}{proc.stderr}\n--- log tail ---\n{tail_lines(tmp / 'postgres.log')}"
            )

    def _pg_ctl(self, tmp: Path, *action: str, check: bool = True) -> None:
        opts = (
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            f" -c listen_addresses=127.0.0.1 -p {self.port} -k {tmp / 'sock'}"
        )
        paths = ["-D", str(tmp / "data"), "-l", str(tmp / "postgres.log"), "-o", opts]
        self._run(tmp, _pg_bin("pg_ctl"), "-w", "-t", "60", *paths, *action, check=check)

    def start(self) -> Self:
        if self._tmp is not None:
            return self
        tmp = self._tmp = self._make_tmp("todo-pg-")
        try:
            (tmp / "sock").mkdir()
            if self._as_root:
                try:
                    pwd.getpwnam(PG_SYSTEM_USER)
                except KeyError:  # a parallel creator may win the race: re-check below
                    subprocess.run(["useradd", "-M", "-s", "/bin/bash", PG_SYSTEM_USER])
                user = pwd.getpwnam(PG_SYSTEM_USER)
                for path in (tmp, tmp / "sock"):
                    os.chown(path, user.pw_uid, user.pw_gid)
            initdb_args = ["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]
            self._run(tmp, _pg_bin("initdb"), "-D", str(tmp / "data"), *initdb_args)
            for attempt in range(3):  # the free port may be grabbed by someone else meanwhile
                self.port = free_port()
                try:
                    self._pg_ctl(tmp, "start")
                    break
                except RuntimeError:
                    if attempt == 2:
                        raise
        except BaseException:
            self.stop()
            raise
        return self

    def restart(self) -> None:
        assert self._tmp is not None, "server not started"
        self._pg_ctl(self._tmp, "-m", "fast", "restart")

    def stop(self) -> None:
        tmp, self._tmp = self._tmp, None
        if tmp is None:
            return
        atexit.unregister(self.stop)
        try:
            if (tmp / "data" / "postmaster.pid").exists():
                self._pg_ctl(tmp, "-m", "fast", "stop", check=False)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its URL."""
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def terminate_connections(self, dbname: str) -> int:
        """Kill every other backend connected to ``dbname``; return how many."""
        query = (
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()"
        )
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            return len(conn.execute(query, (dbname,)).fetchall())


class RedisServer(_Managed):
    """A private, non-persistent redis-server child process on 127.0.0.1."""

    def __init__(self) -> None:
        self.port = 0
        self._tmp: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def url_for(self, db: int) -> str:
        return f"{self.url}/{db}"

    def start(self) -> Self:
        if self._tmp is not None:
            return self
        self._tmp = self._make_tmp("todo-redis-")
        try:
            for _ in range(3):  # retry if the free port got taken
                self.port = free_port()
                if self._launch():
                    return self
                self._kill()
            raise RuntimeError(f"redis-server did not start:\n{self.log_tail()}")
        except BaseException:
            self.stop()
            raise

    def pause(self) -> None:
        """Stop the server but keep its port, as in an outage; `resume()` starts it again."""
        self._kill()

    def resume(self) -> None:
        if not self._launch():
            raise RuntimeError(f"redis-server did not start again:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return tail_lines(self._tmp / "redis.log") if self._tmp else "<not started>"

    def _launch(self) -> bool:
        assert self._tmp is not None
        binary = require("redis-server", "redis-server")
        opts = ["--bind", "127.0.0.1", "--appendonly", "no", "--daemonize", "no", "--save"]
        with (self._tmp / "redis.log").open("ab") as log:
            self._proc = subprocess.Popen(
                [binary, "--port", str(self.port), "--dir", str(self._tmp), *opts, ""],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        return self._wait_ready(self._proc)

    def _wait_ready(self, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1) as client:
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    if client.ping():
                        return True
                except redis.RedisError:
                    pass
                time.sleep(0.02)
        return False

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_process(proc, timeout_s=5)

    def stop(self) -> None:
        self._kill()
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            atexit.unregister(self.stop)
            shutil.rmtree(tmp, ignore_errors=True)


RABBITMQ_SCRIPTS = Path("/usr/lib/rabbitmq/bin")
RABBITMQ_START_TIMEOUT_S = 90.0


class RabbitMQServer(_Managed):
    """A private RabbitMQ node on 127.0.0.1, with its own epmd, both child processes.

    Debian's `rabbitmq-server` script (run directly: the `/usr/sbin` wrapper switches to the
    `rabbitmq` user) gets its own ports, data folder, Erlang cookie and an empty plugin list. It
    takes about 12 s to start on 2 cores, so a test session starts one and shares it.
    """

    def __init__(self) -> None:
        self.port = 0
        self._epmd_port = 0
        self._tmp: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._epmd: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    @property
    def node(self) -> str:
        return f"todo-test-{self.port}@localhost"

    def start(self) -> Self:
        if self._tmp is not None:
            return self
        script = RABBITMQ_SCRIPTS / "rabbitmq-server"
        if not os.access(script, os.X_OK):
            raise RuntimeError(
                f"{script} not found; install it: apt-get install -y rabbitmq-server"
            )
        epmd = require("epmd", "erlang-base")
        tmp = self._tmp = self._make_tmp("todo-rabbitmq-")
        try:
            self.port, self._epmd_port, dist_port = free_port(), free_port(), free_port()
            (tmp / "rabbitmq.conf").write_text(
                f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
                "log.console = true\nlog.console.level = warning\nlog.file = false\n"
            )
            (tmp / "enabled_plugins").write_text("[].\n")
            with (tmp / "epmd.log").open("ab") as log:
                self._epmd = subprocess.Popen(
                    [epmd, "-port", str(self._epmd_port), "-address", "127.0.0.1"],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                )  # fmt: skip
            env = {**self._env(), "RABBITMQ_DIST_PORT": str(dist_port)}
            with (tmp / "rabbitmq.log").open("ab") as log:
                self._proc = subprocess.Popen(
                    [str(script)], cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True,
                )  # fmt: skip
            self._wait_ready(self._proc)
        except BaseException:
            self.stop()
            raise
        return self

    def stop_app(self) -> None:
        """Stop the broker inside its node: connections drop, the port refuses (an outage)."""
        self._ctl("stop_app")

    def start_app(self) -> None:
        self._ctl("start_app")
        assert self._proc is not None
        self._wait_ready(self._proc)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_process(proc, timeout_s=15, group=True)
            kill_process_group(proc.pid)
        epmd, self._epmd = self._epmd, None
        if epmd is not None:
            stop_process(epmd, timeout_s=5)
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            atexit.unregister(self.stop)
            shutil.rmtree(tmp, ignore_errors=True)

    def _env(self) -> dict[str, str]:
        assert self._tmp is not None
        tmp = self._tmp
        return {
            **os.environ,
            "HOME": str(tmp),  # the Erlang cookie
            "ERL_EPMD_PORT": str(self._epmd_port),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_CONFIG_FILE": str(tmp / "rabbitmq"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(tmp / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(tmp / "mnesia"),
            "RABBITMQ_LOG_BASE": str(tmp / "log"),
            "RABBITMQ_PID_FILE": str(tmp / "rabbitmq.pid"),
            "RABBITMQ_CONF_ENV_FILE": str(tmp / "rabbitmq-env.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(tmp / "advanced.config"),
        }

    def _ctl(self, command: str) -> None:
        assert self._tmp is not None, "server not started"
        ctl = [str(RABBITMQ_SCRIPTS / "rabbitmqctl"), "-n", self.node, command]
        done = subprocess.run(ctl, env=self._env(), capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {command} failed:\n{done.stdout}{done.stderr}")

    def _wait_ready(self, proc: subprocess.Popen[bytes]) -> None:
        assert self._tmp is not None
        deadline = time.monotonic() + RABBITMQ_START_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with amqp.Connection(f"127.0.0.1:{self.port}", connect_timeout=1) as conn:
                    conn.connect()
                    return
            except (OSError, amqp.exceptions.AMQPError):
                time.sleep(0.2)
        raise RuntimeError(
            f"rabbitmq-server did not start:\n{tail_lines(self._tmp / 'rabbitmq.log')}"
        )


class ExternalServer:
    """A server someone else runs (from an env var); ``stop()`` does nothing."""

    def __init__(self, url: str) -> None:
        self.url = url

    def url_for(self, name: str | int) -> str:
        return urlunsplit(urlsplit(self.url)._replace(path=f"/{name}"))

    def stop(self) -> None:
        return None


def postgres_from_env_or_start() -> PostgresServer | ExternalServer:
    url = os.environ.get("TEST_DATABASE_URL")
    return ExternalServer(url) if url else PostgresServer().start()


def redis_from_env_or_start() -> RedisServer | ExternalServer:
    url = os.environ.get("TEST_REDIS_URL")
    return ExternalServer(url) if url else RedisServer().start()
