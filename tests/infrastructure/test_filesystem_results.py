import threading
from pathlib import Path

from celery import Celery
from celery.backends.filesystem import FilesystemBackend

from infrastructure.celery.filesystem_results import FilesystemResultBackend

VALUE = b"x" * 1_000_000  # large, so an in-place rewrite is slow enough to be caught


def _torn_reads(backend: FilesystemBackend, rounds: int = 300) -> int:
    """How many reads saw a result file that was not whole while another thread rewrote it."""
    key = backend.get_key_for_task("task-id")
    backend.set(key, VALUE)
    stop = threading.Event()

    def rewrite() -> None:
        while not stop.is_set():
            backend.set(key, VALUE)

    writer = threading.Thread(target=rewrite)
    writer.start()
    try:
        return sum(backend.get(key) != VALUE for _ in range(rounds))
    finally:
        stop.set()
        writer.join()


def test_results_are_replaced_whole_so_a_poller_never_reads_half_a_file(tmp_path: Path) -> None:
    # Built directly: Celery would let a CELERY_RESULT_BACKEND variable override a configured URL.
    backend = FilesystemResultBackend(app=Celery(), url=tmp_path.as_uri())

    assert _torn_reads(backend) == 0
    assert not [path for path in tmp_path.iterdir() if ".partial-" in path.name]
