"""``sample``: a tiny in-memory source that exercises the connector framework.

One incremental stream, ``items`` (primary key ``id``, cursor ``updated_at``), with ``count``
deterministic rows; consecutive pairs of rows share an ``updated_at`` value so the boundary
handling of incremental state is exercised. Valid API keys start with ``sk_sample_``.
Run it with ``python -m connectors.sample spec|check|discover|read``.
"""
