"""``wms-sftp``: a WMS's SFTP drop box — stock snapshots and shipments in, orders out.

Reads ``inv_*.csv`` (inventory snapshots), ``shp_*.csv`` (shipment confirmations with each
carton's scanned trace codes) and ``rcv_*.csv`` (receipts) from ``out_dir``; writes outbound
orders as ``ord_<key>.csv`` into ``in_dir``. UTF-8 or GBK/GB18030 files of any size are
streamed in bounded blocks (:mod:`connectors.sftp`); each file is read once, resumes where
the last committed batch ended, and is archived only after its rows are committed
(:mod:`connectors.wms_sftp.files`). Files still being uploaded (``*.part``) or still growing
are left alone. Host keys are pinned: unknown or changed keys are refused.

``mode: local`` reads and writes the same layout in a local folder (the demo, no sshd). File
layouts: :mod:`connectors.wms_sftp.shapes`; order files: :mod:`connectors.wms_sftp.sink`.
Run it with ``python -m connectors.wms_sftp spec|check|discover|read``.
"""
