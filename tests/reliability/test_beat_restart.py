"""Beat restarted over what a killed Beat left in `var/`, started exactly as the Procfile starts it.

A stale pid file used to stop the next Beat whenever its pid belonged to some other live
process, and a schedule file cut short by a crash made Beat exit at every start. Beat now keeps
no pid file, replaces a schedule file it cannot read, and holds a lock on the schedule file that
the kernel drops when Beat dies, so a second Beat on the same file is refused but a restart is not.
"""

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from signal import SIGKILL, SIGTERM

import pytest

from configs.paths import ROOT_DIR
from tests.harness.processes import kill_process_group, stop_process, tail_lines
from tests.reliability.conftest import BROKER, Cluster, wait_until

SENT_PING = "Sending due task ping-every-minute (ping)"


def procfile_command(process: str) -> str:
    for line in (ROOT_DIR / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return command.strip()
    raise AssertionError(f"no {process!r} line in the Procfile")


class Beat:
    """`beat` from the Procfile, run by a shell from the project root, in its own session."""

    def __init__(self, cluster: Cluster, var: Path, name: str) -> None:
        self.log = cluster.scratch / f"{name}.log"
        env = {
            **cluster.env,
            "CELERY_BEAT_SCHEDULE_FILE": str(var / "celerybeat-schedule"),
            "CELERY_PING_INTERVAL_S": "0.5",
        }
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                ["bash", "-c", procfile_command("beat")], cwd=ROOT_DIR, env=env,
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_sending(self) -> None:
        def sending() -> bool:
            assert self.proc.poll() is None, f"beat exited:\n{tail_lines(self.log, 60)}"
            return SENT_PING in self.text()

        wait_until(sending, timeout_s=60, what="Beat to send ping", interval_s=0.2)

    def kill(self) -> None:
        """SIGKILL, as when its machine dies: nothing is cleaned up."""
        kill_process_group(self.proc.pid)
        self.proc.wait()

    def stop(self) -> None:
        stop_process(self.proc, signal=SIGTERM, timeout_s=10, group=True)
        kill_process_group(self.proc.pid)


@pytest.fixture
def beats(cluster: Cluster) -> Iterator[list[Beat]]:
    started: list[Beat] = []
    yield started
    for beat in started:
        beat.stop()


@pytest.fixture
def unrelated_process() -> Iterator[int]:
    """A live process that is not Beat, whose pid a stale pid file may name."""
    sleeper = subprocess.Popen(["sleep", "600"])
    yield sleeper.pid
    stop_process(sleeper, signal=SIGKILL)


@pytest.mark.skipif(BROKER != "embedded", reason="Beat's files do not depend on the broker")
def test_beat_is_one_per_schedule_and_restarts_over_stale_and_corrupt_files(
    cluster: Cluster, beats: list[Beat], tmp_path: Path, unrelated_process: int
) -> None:
    var = tmp_path / "var"
    var.mkdir()
    first = Beat(cluster, var, "beat-first")
    beats.append(first)
    first.wait_sending()
    holder = (var / "celerybeat-schedule.lock").read_text().strip()

    second = Beat(cluster, var, "beat-second")
    beats.append(second)
    assert second.proc.wait(timeout=60) != 0
    assert f"another Beat (pid {holder}) is running with the schedule file" in second.text()

    first.kill()
    # What a killed Beat of an older release leaves, and what a crash does to its schedule.
    (var / "celerybeat.pid").write_text(f"{unrelated_process}\n")
    schedule = next(var.glob("celerybeat-schedule*.dat"), var / "celerybeat-schedule")
    schedule.write_bytes(b"\0" * max(schedule.stat().st_size, 64))
    started = time.monotonic()
    third = Beat(cluster, var, "beat-third")
    beats.append(third)
    third.wait_sending()

    assert "cannot be read" in third.text()  # said so, then started afresh
    assert "Traceback" not in third.text().split("cannot be read")[-1]
    print(f"\nBeat restarted over stale files {time.monotonic() - started:.1f} s after the kill")
