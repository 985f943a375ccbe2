"""Benchmarks: the hub side by side with the physical limit (and, later, its peers)."""
