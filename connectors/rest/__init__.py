"""``rest``: a generic paginated REST/JSON source, and a sandbox to run it against.

Streams are configured (path, primary key, updated-at cursor and its inclusive filter
parameter, where the rows sit in the body, pagination: ``offset``, ``page``, ``cursor``,
``link`` or ``none``, optional partitions); see :mod:`connectors.rest.spec`. The defaults
read the demo sandbox's ``products``, ``dealers`` and ``stock``, so a base URL and a token
are a complete config. HTTP goes through the hub's shared client (retries, ``Retry-After``,
rate limit, typed errors, redaction).

:mod:`connectors.rest.sandbox` is a stateful fake "demo ERP" master-data API (an ASGI app)
that really paginates in every style and fails on demand. It is a sandbox, not a vendor's API.
Run the source with ``python -m connectors.rest spec|check|discover|read`` and the sandbox
with ``python -m connectors.rest.sandbox``.

This package imports nothing heavy: the source, streams and sandbox load on first use.
"""
