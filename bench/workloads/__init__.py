"""The benchmark workloads; each module has `run(mode) -> dict` with mode "quick", "standard" or "full"."""
