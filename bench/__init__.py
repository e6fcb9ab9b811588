"""Benchmarks: `.venv/bin/python -m bench [--quick]` runs them all and writes bench/RESULTS.md;
`.venv/bin/python -m bench.<name>` runs one on its own (e.g. bench.seed_million)."""
