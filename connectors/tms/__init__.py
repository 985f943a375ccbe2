"""``tms``: shipments/waybills and vehicle positions with ETA from a G7/易流-style TMS REST API.

Two signing schemes (config ``gateway``):

- ``e6`` (易流, interfaces.md §3.3): query parameters ``appkey``, ``timestamp``
  (``yyyy-MM-dd HH:mm:ss``, Beijing), ``format=json`` and
  ``sign = UPPER(MD5(secret + concat(sorted k+v) + secret))``;
- ``g7`` (G7 openapi gateway): headers ``X-G7-OpenAPI-Timestamp`` (ms) and
  ``Authorization: g7ac {AccessId}:{base64(HMAC-SHA256(secret, stringToSign))}``.

Streams (both incremental, paged): ``waybills`` by ``update_time`` (→ shipments) and
``vehicle_positions`` by ``gps_time`` (ETA → shipments.eta). Gateway errors
(``auth failed:signature error``, ``wrong timestamp``, ``no permission, api can't access``)
map to typed errors (:mod:`connectors.tms.errors`).

:mod:`connectors.tms.sandbox` is a stateful fake of such an API (a sandbox, not G7's or 易流's
service). Run with ``python -m connectors.tms spec|check|discover|read``.
"""
