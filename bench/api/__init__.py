"""The HTTP benchmark (`make bench-api`, i.e. `uv run python -m bench.api`).

Environment overrides for a quick development run (the defaults are the documented protocol):
`BENCH_DURATION` (15 s measured per endpoint and round), `BENCH_WARMUP` (3 s), `BENCH_ROUNDS` (3),
`BENCH_CONNECTIONS` (16), `BENCH_THREADS` (2), `BENCH_PROFILE` (true: py-spy on the list endpoint),
`BENCH_PROFILE_DURATION` (10 s), `BENCH_DOCS` (true: append to docs/benchmarks.md) and `BENCH_APP`
(the ASGI app uvicorn serves, `bench.api.app:app`). For example:
`BENCH_DURATION=3 BENCH_ROUNDS=1 BENCH_DOCS=false make bench-api`.
"""
