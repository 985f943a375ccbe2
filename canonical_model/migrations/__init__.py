"""Alembic migrations of the canonical store (run them with ``dmshub db upgrade``)."""
