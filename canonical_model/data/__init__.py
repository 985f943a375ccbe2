"""Packaged reference data (GB/T 2260 region codes, ...)."""
