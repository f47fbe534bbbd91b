"""The HTTP benchmark (`make bench-api`, i.e. `uv run python -m bench.api`).

Environment overrides for a quick development run (the defaults are the documented protocol, see
`settings.py`): `BENCH_DURATION`, `BENCH_WARMUP`, `BENCH_ROUNDS`, `BENCH_CONNECTIONS`,
`BENCH_THREADS`, `BENCH_SCENARIOS` (any of routes, lock-stall, noisy-neighbour, scale,
observability), `BENCH_SCALE_SIZES` and `BENCH_SCALE_DURATION`. For example
`BENCH_DURATION=3 BENCH_ROUNDS=1 BENCH_SCENARIOS=routes make bench-api`.
"""
