"""Benchmarks: `make bench` runs each module's `main()` and prints its figures (medians and ratios)."""
