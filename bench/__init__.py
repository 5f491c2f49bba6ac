"""Benchmarks of zdlib against Zenpy on the local sandbox (`make bench`, `python -m bench.run`)."""
