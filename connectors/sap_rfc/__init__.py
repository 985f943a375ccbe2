"""``sap-rfc``: an SAP ABAP system (ECC or S/4HANA) over RFC with pyrfc.

Source streams (full refresh, read with RFC_READ_TABLE: paged, split under the 512-character
row limit, delimiter-safe, ALPHA keys normalised): ``customers`` (KNA1 + KNVH parent),
``material_groups`` (T023T), ``materials`` (MARA + MAKT + case unit from MARM),
``material_units`` (MARM), ``plant_stock`` (MARD) and, when enabled, ``availability``
(BAPI_MATERIAL_AVAILABILITY). Sink: sales orders through BAPI_SALESORDER_CREATEFROMDAT2 and
BAPI_TRANSACTION_COMMIT, exactly once by our reference in PURCH_NO_C
(:class:`~connectors.sap_rfc.sink.SapRfcSink`).

pyrfc is the optional ``[sap-rfc]`` extra (it needs SAP's NW RFC SDK) and is imported only
when a real connection opens; :mod:`connectors.sap_rfc.sandbox` is an in-memory SAP system
for tests and the demo (``sandbox: true``). Run ``python -m connectors.sap_rfc spec|check|...``.
"""
