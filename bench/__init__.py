"""Benchmarks: `.venv/bin/python -m bench.<name>`."""
