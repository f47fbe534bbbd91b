"""Tracing, request and task logs, metrics and health: what an operator sees of the service.

Everything here is off or cheap until switched on: with tracing off no instrumentation is
installed, and a span helper costs one flag check.
"""
