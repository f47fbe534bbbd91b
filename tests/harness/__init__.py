"""Throwaway servers and workers for tests and benchmarks, and how to stop child processes."""
