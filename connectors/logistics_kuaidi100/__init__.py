"""``logistics-kuaidi100``: waybill tracking through 快递100 (poll.kuaidi100.com).

- Real-time query (``/poll/query.do``, ``sign = UPPER(MD5(param + key + customer))``) feeds two
  streams: ``waybills`` (→ shipments) and ``tracking_events`` (→ shipment_events), with 快递100
  states and ``resultv2`` sub-states normalised by :mod:`connectors.carrier_status`.
- Subscribe (``/poll``, ``schema=json`` + ``param`` holding the key):
  :meth:`~connectors.logistics_kuaidi100.client.Kuaidi100Client.subscribe`.
- Push callbacks: :func:`~connectors.logistics_kuaidi100.push.verify_and_parse_push` checks
  ``sign = UPPER(MD5(param + salt))`` in constant time and returns shipment-event rows; the
  webhook answers :data:`~connectors.logistics_kuaidi100.push.PUSH_REPLY_SUCCESS`.

:mod:`connectors.logistics_kuaidi100.sandbox` is a stateful fake of those endpoints (a sandbox,
not 快递100's service). Run with ``python -m connectors.logistics_kuaidi100 spec|check|...``.
"""
