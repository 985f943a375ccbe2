"""``logistics-sf``: 顺丰 (SF Express) route query through 丰桥 (``/std/service``).

``EXP_RECE_SEARCH_ROUTES`` with ``msgDigest = Base64(MD5(msgData + timestamp + checkword))``
(interfaces.md §6.3; the URL-encode-first variant some clients use is a config switch) feeds
two streams: ``waybills`` (→ shipments) and ``tracking_events`` (→ shipment_events), with
opCodes normalised by :mod:`connectors.carrier_status` and the opCode kept.

:mod:`connectors.logistics_sf.sandbox` is a stateful fake of ``/std/service`` (a sandbox, not
顺丰's service). Run with ``python -m connectors.logistics_sf spec|check|discover|read``.
"""
