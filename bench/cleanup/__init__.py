"""The cleanup benchmark (`make bench-cleanup`); see `__main__` for its scenarios and overrides."""
