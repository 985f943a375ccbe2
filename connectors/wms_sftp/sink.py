"""Outbound orders to the WMS: ``ord_<key>.csv`` in ``in_dir``, written to ``*.part`` and renamed.

The file name carries our idempotency key, so :meth:`WmsSftpSink.lookup` can tell whether an
order already reached the WMS — in ``in_dir``, or in the folders the WMS moves picked-up
orders to (``order_archive_dirs``) — and :meth:`WmsSftpSink.submit` never writes one twice.
Nothing is ``stat``-ed after the rename: drop boxes move files away the moment they land.

Layout (one row per allocation, or per line when the order has no allocations yet;
quantities in base units)::

    order_no,dealer_code,ship_to_location_code,ship_to_region_code,order_date,
    requested_delivery_date,warehouse_code,line_no,sku,lot,qty,unit,idempotency_key
"""

from __future__ import annotations

import csv
import hashlib
import io
import posixpath
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from connectors.errors import RetriableConnectorError
from connectors.spec import parse_config
from connectors.wms_sftp.client import DropBox, open_dropbox
from connectors.wms_sftp.spec import SYSTEM, WmsSftpConfig

__all__ = ["ORDER_COLUMNS", "WmsSftpSink", "create_sink", "order_csv", "order_file_name"]

ORDER_COLUMNS = (
    "order_no",
    "dealer_code",
    "ship_to_location_code",
    "ship_to_region_code",
    "order_date",
    "requested_delivery_date",
    "warehouse_code",
    "line_no",
    "sku",
    "lot",
    "qty",
    "unit",
    "idempotency_key",
)
_SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def order_file_name(idempotency_key: str) -> str:
    """``ord_<key>.csv``; a key with other characters is cleaned and suffixed with its hash."""
    if _SAFE_KEY.fullmatch(idempotency_key):
        return f"ord_{idempotency_key}.csv"
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", idempotency_key)[:60].strip("._-") or "key"
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:12]
    return f"ord_{cleaned}_{digest}.csv"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def order_csv(document: Mapping[str, Any], idempotency_key: str, *, encoding: str = "utf-8") -> bytes:
    """The order file for ``document`` (the ordering core's order document)."""
    header = {name: _text(document.get(name)) for name in ORDER_COLUMNS[:6]}
    lines = {int(line["line_no"]): line for line in document.get("lines") or []}
    allocations = document.get("allocations") or []
    rows = []
    if allocations:
        for allocation in allocations:
            line = lines.get(int(allocation["line_no"]), {})
            rows.append(
                [
                    *header.values(),
                    _text(allocation.get("location_code")),
                    _text(allocation["line_no"]),
                    _text(allocation.get("sku") or line.get("sku")),
                    _text(allocation.get("lot")),
                    _text(allocation.get("qty")),
                    "base",
                    idempotency_key,
                ]
            )
    else:
        for number, line in sorted(lines.items()):
            qty, unit = (
                (line.get("qty_base"), "base")
                if line.get("qty_base") is not None
                else (line.get("qty"), line.get("unit"))
            )
            rows.append(
                [
                    *header.values(),
                    "",
                    str(number),
                    _text(line.get("sku")),
                    "",
                    _text(qty),
                    _text(unit),
                    idempotency_key,
                ]
            )
    if not rows:
        raise ValueError(f"order {header['order_no'] or idempotency_key} has no lines")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ORDER_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


class WmsSftpSink:
    """Writes orders into the WMS's drop box exactly once per idempotency key."""

    def __init__(self, config: WmsSftpConfig, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self._sleep = sleep
        self._box: DropBox | None = None

    def submit(self, document: Mapping[str, Any], *, idempotency_key: str) -> str:
        """Write ``ord_<key>.csv`` (unless the WMS already has it); its file name is the reference.

        A connection lost during the rename raises :class:`AmbiguousOutcome`: look it up first.
        """
        existing = self.lookup(idempotency_key)
        if existing is not None:
            return existing
        name = order_file_name(idempotency_key)
        data = order_csv(document, idempotency_key, encoding=self.config.order_encoding)
        with self._connection() as box:
            box.upload(posixpath.join(self.config.in_dir, name), data)
        return name

    def lookup(self, idempotency_key: str) -> str | None:
        """The order file's name if it is in ``in_dir`` or one of ``order_archive_dirs``."""
        name = order_file_name(idempotency_key)
        folders = [
            self.config.in_dir,
            *(posixpath.join(self.config.in_dir, d) for d in self.config.order_archive_dirs),
        ]
        with self._connection() as box:
            for folder in folders:
                if box.stat(posixpath.join(folder, name)) is not None:
                    return name
        return None

    def close(self) -> None:
        """Close the connection."""
        if self._box is not None:
            self._box.close()
            self._box = None

    def __enter__(self) -> WmsSftpSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connection(self) -> _Connection:
        if self._box is None:
            self._box = open_dropbox(self.config, sleep=self._sleep)
        return _Connection(self)


class _Connection:
    """The sink's drop box for one call; a transient failure drops it so the next call reconnects."""

    def __init__(self, sink: WmsSftpSink) -> None:
        self._sink = sink

    def __enter__(self) -> DropBox:
        assert self._sink._box is not None
        return self._sink._box

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, RetriableConnectorError):
            self._sink.close()


def create_sink(config: Mapping[str, Any]) -> WmsSftpSink:
    """The registry's factory: a sink for a (secret-resolved) config mapping."""
    parsed: WmsSftpConfig = parse_config(WmsSftpConfig, config, connector=SYSTEM)
    return WmsSftpSink(parsed)
