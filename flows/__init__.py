"""Prefect flows and the CLI: the composition root that wires connectors, mappings, store and DMS core."""
