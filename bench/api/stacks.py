"""Read py-spy's speedscope file and sum its samples two ways.

By layer: each sample goes to the innermost frame that belongs to a known layer (walking from the
leaf out), so the shares add up to 100 % and a standard-library leaf (`re`, `datetime`) counts for
whoever called it. By step of a request: the share of samples inside a step, callees included;
steps nest, so these do not add up.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT_DIR, SRC_DIR, markdown_table

# First match wins, so the more specific paths come first.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("JWT (PyJWT)", ("/jwt/",)),
    ("psycopg (PostgreSQL driver)", ("/psycopg/", "/psycopg_binary/")),
    ("Django ORM", ("/django/db/",)),
    ("Django, other", ("/django/",)),
    ("pydantic (validation, serialisation)",
     ("/pydantic/", "/pydantic_core/", "/fastapi/encoders")),
    ("JSON encoding", ("/json/", "orjson")),
    ("thread hop (asgiref, anyio, executor)",
     ("/asgiref/", "/anyio/", "/concurrent/futures/", "/threading.py", "/queue.py")),
    ("FastAPI/Starlette (routing, dependencies, middleware)", ("/fastapi/", "/starlette/")),
    ("uvicorn, httptools, event loop", ("/uvicorn/", "/httptools/", "/uvloop/", "/asyncio/")),
    ("this project's code (src/)", (f"{SRC_DIR}/",)),
]  # fmt: skip


@dataclass(frozen=True)
class Frame:
    name: str
    file: str
    line: int


@dataclass(frozen=True)
class Sample:
    thread: str
    frames: tuple[Frame, ...]  # root first, leaf last


def read_speedscope(path: Path) -> list[Sample]:
    document = json.loads(path.read_text())
    frames = [
        Frame(name=f["name"], file=f.get("file") or "", line=f.get("line") or 0)
        for f in document["shared"]["frames"]
    ]
    return [
        Sample(thread=profile["name"], frames=tuple(frames[index] for index in stack))
        for profile in document["profiles"]
        for stack in profile["samples"]
    ]


def layer_of(sample: Sample) -> str:
    for frame in reversed(sample.frames):
        for layer, markers in LAYERS:
            if any(marker in frame.file for marker in markers):
                return layer
    return "other"


def _short(file: str) -> str:
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1]
    if file.startswith(f"{ROOT_DIR}/"):
        return file.removeprefix(f"{ROOT_DIR}/")
    return file.rsplit("/python3.11/", 1)[-1]


def breakdown_table(samples: list[Sample]) -> str:
    layers = Counter(layer_of(sample) for sample in samples)
    total = max(1, len(samples))
    rows = [[layer, f"{count / total:.0%}"] for layer, count in layers.most_common()]
    return markdown_table(["where the GIL time goes (innermost known layer)", "share"], rows)


def top_functions_table(samples: list[Sample], count: int = 12) -> str:
    leaves = Counter(sample.frames[-1] for sample in samples if sample.frames)
    total = max(1, len(samples))
    rows = [
        [f"`{frame.name}`", f"{_short(frame.file)}:{frame.line}", f"{hits / total:.1%}"]
        for frame, hits in leaves.most_common(count)
    ]
    return markdown_table(["busiest leaf function", "where", "self share"], rows)


def _any_frame(inside: Callable[[Frame], bool]) -> Callable[[Sample], bool]:
    return lambda sample: any(map(inside, sample.frames))


def _named(*names: str) -> Callable[[Sample], bool]:
    return _any_frame(lambda frame: frame.name in names)


def _on_loop_in(*markers: str) -> Callable[[Sample], bool]:
    """Event-loop thread samples inside code from these files or functions."""
    inside = _any_frame(lambda frame: any(m in frame.file or m == frame.name for m in markers))
    return lambda sample: "MainThread" in sample.thread and inside(sample)


STEPS: list[tuple[str, Callable[[Sample], bool]]] = [
    ("request parsing (httptools callbacks)", _named("HttpToolsProtocol.data_received")),
    ("FastAPI dependencies (token header, query parameters)", _named("solve_dependencies")),
    ("token check (PyJWT)", _any_frame(lambda frame: "/jwt/" in frame.file)),
    ("thread hop, event-loop side (submit, futures)",
     _on_loop_in("/asgiref/", "/concurrent/futures/", "BaseEventLoop.run_in_executor",
                 "wrap_future", "_call_set_state")),
    ("SQL round trips (cursor execute)", _named("Cursor.execute", "CursorWrapper.execute")),
    ("rows to Python (fetch, converters)",
     _named("Cursor.fetchall", "Cursor.fetchone", "Cursor.fetchmany",
            "SQLCompiler.apply_converters")),
    ("JSON rendering (response render)",
     _any_frame(lambda frame: frame.name.endswith("Response.render"))),
    ("response write (uvicorn send)", _named("RequestResponseCycle.send")),
]  # fmt: skip


def steps_table(samples: list[Sample]) -> str:
    total = max(1, len(samples))
    rows = [
        [label, f"{sum(1 for sample in samples if inside(sample)) / total:.0%}"]
        for label, inside in STEPS
    ]
    off_loop = sum(1 for sample in samples if "MainThread" not in sample.thread) / total
    rows.append(["everything on the ORM thread (the hop's work)", f"{off_loop:.0%}"])
    return markdown_table(["step of a request (callees included)", "share"], rows)
