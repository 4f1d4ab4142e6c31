"""Benchmarks that print ratios measured in one run (`python -m bench`), never pass/fail timings."""
