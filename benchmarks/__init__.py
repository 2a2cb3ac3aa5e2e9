"""Benchmarks for issue 6 (batch regeneration): run ``python -m benchmarks`` from the checkout."""
