"""Profile the list endpoint under load with py-spy and say where the server's time goes.

py-spy samples the uvicorn process from outside (as root it may attach to any process) while wrk
loads the list. Only samples of threads holding the GIL count (`--gil`): with one worker, the GIL is
the resource requests compete for, so this is the time that sets requests/s.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

from bench.api.rounds import Endpoint, load
from bench.api.settings import ApiBenchSettings
from bench.api.stacks import breakdown_table, read_speedscope, steps_table, top_functions_table
from bench.common import ROOT_DIR

PROFILE_FILE = ROOT_DIR / "var" / "bench-api-list.speedscope.json"


def py_spy() -> str:
    beside_python = Path(sys.executable).with_name("py-spy")
    found = str(beside_python) if beside_python.exists() else shutil.which("py-spy")
    if found is None:
        raise RuntimeError("py-spy not found: it is a dev dependency (uv sync)")
    return found


def record(pid: int, *, duration_s: int, output: Path) -> subprocess.Popen[str]:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)  # so an earlier run's file cannot pass for this one
    command = [
        py_spy(), "record", "--pid", str(pid), "--duration", str(duration_s), "--rate", "200",
        "--gil", "--function", "--format", "speedscope", "--output", str(output),
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def profile_list_endpoint(
    base_url: str, pid: int, targets: list[Endpoint], settings: ApiBenchSettings
) -> str:
    listing = next(target for target in targets if target.key == "list")
    duration = settings.profile_duration
    loader = threading.Thread(
        target=load, args=(base_url, listing, settings), kwargs={"duration_s": duration + 2}
    )
    loader.start()
    recorder = record(pid, duration_s=duration, output=PROFILE_FILE)
    try:
        output, _ = recorder.communicate(timeout=duration + 60)
    finally:
        if recorder.poll() is None:
            recorder.kill()
            recorder.wait()
        loader.join()  # wrk stops on its own within two seconds of the recording
    if recorder.returncode != 0 or not PROFILE_FILE.exists():
        raise RuntimeError(f"py-spy failed ({recorder.returncode}):\n{output}")
    stacks = read_speedscope(PROFILE_FILE)
    return "\n\n".join(
        [
            f"Profile of {listing.label} under the same load: py-spy {duration} s at 200 Hz, "
            f"GIL-holding samples only ({len(stacks)} samples); speedscope file: "
            f"`{PROFILE_FILE.relative_to(ROOT_DIR)}` (open it at https://www.speedscope.app).",
            breakdown_table(stacks),
            steps_table(stacks),
            top_functions_table(stacks),
        ]
    )
