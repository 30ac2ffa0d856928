"""Benchmarks for Bekymring: `python -m bench --help` (see README, "Performance and durability")."""
