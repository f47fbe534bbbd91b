"""The task round-trip benchmark (`make bench-tasks`) and the worker process it and others start."""
