"""Reference data and pricing catalogs, loaded once and shared by many orders.

:class:`CachedReference` is the default :class:`~dms_core.ordering.ports.ReferenceSource`:
it keeps one pricing catalog per (database, day) and one :class:`ReferenceData` per
database, each for ``ttl_seconds`` (a price or product change synced from the ERP shows
up within that time; call :meth:`CachedReference.invalidate` to see it at once). It is
thread-safe, so one instance serves every worker thread of a process. Dealer facts
(status, credit, qualifications, contracts, authorizations) and stock are never cached:
they are read, and locked, per order.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Final

import sqlalchemy as sa

from canonical_model.store.database import database_errors
from canonical_model.tables import locations, products, unit_conversions
from dms_core.ordering.ports import LocationInfo, ProductInfo, ReferenceData
from dms_core.pricing import PricingCatalog, load_catalog

__all__ = ["CachedReference", "load_reference"]

_DAYS_KEPT: Final = 4  # catalogs of a few days (orders dated yesterday, today, tomorrow)


def load_reference(conn: sa.Connection) -> ReferenceData:
    """Read live products, unit conversions and locations (three queries)."""
    with database_errors(conn.engine.url):
        product_rows = conn.execute(
            sa.select(
                products.c.sku,
                products.c.product_line_code,
                products.c.base_unit,
                products.c.case_pack,
                products.c.order_multiple,
                products.c.min_order_qty,
                products.c.status,
            ).where(products.c.deleted_at.is_(None))
        )
        loaded_products = {
            r.sku: ProductInfo(
                sku=r.sku,
                product_line_code=r.product_line_code,
                base_unit=str(r.base_unit).strip().upper(),
                case_pack=int(r.case_pack),
                order_multiple=int(r.order_multiple),
                min_order_qty=r.min_order_qty if r.min_order_qty is not None else Decimal(0),
                status=r.status,
            )
            for r in product_rows
        }
        conversions = {
            (r.sku, str(r.unit).strip().upper()): r.factor
            for r in conn.execute(
                sa.select(unit_conversions.c.sku, unit_conversions.c.unit, unit_conversions.c.factor).where(
                    unit_conversions.c.deleted_at.is_(None)
                )
            )
        }
        loaded_locations = {
            r.code: LocationInfo(r.code, r.kind, r.owner_dealer_code, r.region_code, int(r.priority))
            for r in conn.execute(
                sa.select(
                    locations.c.code,
                    locations.c.kind,
                    locations.c.owner_dealer_code,
                    locations.c.region_code,
                    locations.c.priority,
                ).where(locations.c.deleted_at.is_(None))
            )
        }
    return ReferenceData(loaded_products, conversions, loaded_locations)


def _store_of(conn: sa.Connection) -> str:
    """Which store ``conn`` is on (its URL without the password), cached per engine: rendering
    the URL costs more than the rest of a cache hit, and every order asks twice."""
    engine = conn.engine
    key = _STORE_KEYS.get(engine)
    if key is None:
        key = _STORE_KEYS[engine] = engine.url.render_as_string(hide_password=True)
    return key


_STORE_KEYS: weakref.WeakKeyDictionary[sa.Engine, str] = weakref.WeakKeyDictionary()


class CachedReference:
    """Pricing catalogs per day and reference data, each reloaded after ``ttl_seconds``.

    ``clock`` returns seconds (``time.monotonic`` by default; tests pass a fake).
    """

    def __init__(self, ttl_seconds: float = 300.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._catalogs: OrderedDict[tuple[str, date], tuple[float, PricingCatalog]] = OrderedDict()
        self._reference: dict[str, tuple[float, ReferenceData]] = {}

    def _fresh(self, loaded_at: float) -> bool:
        return self._clock() - loaded_at < self.ttl_seconds

    def catalog(self, conn: sa.Connection, day: date) -> PricingCatalog:
        """The catalog for ``day`` from cache, or loaded (only the rows valid that day)."""
        key = (_store_of(conn), day)
        with self._lock:
            hit = self._catalogs.get(key)
            if hit is not None and self._fresh(hit[0]):
                self._catalogs.move_to_end(key)
                return hit[1]
        # Loaded outside the lock: a slow load must not stall orders of other days. Two
        # threads may load the same day at once; both results are equal, the last one stays.
        catalog = load_catalog(conn, on=day)
        with self._lock:
            self._catalogs[key] = (self._clock(), catalog)
            self._catalogs.move_to_end(key)
            while len(self._catalogs) > _DAYS_KEPT:
                self._catalogs.popitem(last=False)
        return catalog

    def reference(self, conn: sa.Connection) -> ReferenceData:
        """Products, unit conversions and locations from cache, or loaded."""
        key = _store_of(conn)
        with self._lock:
            hit = self._reference.get(key)
            if hit is not None and self._fresh(hit[0]):
                return hit[1]
        data = load_reference(conn)
        with self._lock:
            self._reference[key] = (self._clock(), data)
        return data

    def invalidate(self) -> None:
        """Forget everything: the next order reloads catalogs and reference data."""
        with self._lock:
            self._catalogs.clear()
            self._reference.clear()
