"""Benchmarks, run as `python -m bench.<name>`; `src/` is importable, as `manage.py` makes it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
