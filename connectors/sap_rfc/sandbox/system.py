"""The SAP sandbox: an in-memory ABAP system and the RFC connections into it.

:class:`SapSandbox` holds the committed tables, the sales-document number range, the users,
a log of every call and the failures queued with :meth:`SapSandbox.fail_next`.
:meth:`SapSandbox.connect` takes pyrfc's logon keywords and returns a
:class:`SandboxConnection` (pyrfc's ``Connection`` surface: ``call``, ``close``, context
manager). Each connection is one SAP session with its own LUW: created orders wait in it
until ``BAPI_TRANSACTION_COMMIT`` on that same connection; closing or losing the connection
discards them. A connection that raised ``CommunicationError`` is dead, like pyrfc's.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from connectors.sap_rfc.abap import internal_language
from connectors.sap_rfc.sandbox.ddic import TABLES
from connectors.sap_rfc.sandbox.exceptions import (
    ABAPApplicationError,
    CommunicationError,
    ExternalRuntimeError,
    LogonError,
    RFCLibError,
)
from connectors.sap_rfc.sandbox.functions import FUNCTIONS
from connectors.sap_rfc.sandbox.sales import PendingOrder
from connectors.sap_rfc.sandbox.seed import SeedResult, customer_rows, material_rows, stock_rows

__all__ = ["LOGON", "Call", "SandboxConnection", "SapSandbox"]

LOGON = "<logon>"
"""Pass as ``function`` to :meth:`SapSandbox.fail_next` to fail the next logon."""


@dataclass(frozen=True)
class Call:
    """One logged call: which session, which function, with what (the password is never logged)."""

    session: int
    function: str
    params: Mapping[str, Any]


@dataclass
class _Failure:
    function: str
    error: RFCLibError
    after: bool


class SapSandbox:
    """An in-memory SAP system for tests and the demo (a sandbox, never a real SAP system).

    ``users`` maps user → password for ``client``. ``sales_areas`` are the (sales org,
    distribution channel, division) triples orders may use; ``doc_types`` the order types.
    Sales documents are numbered from ``first_document`` (``0000012345``).
    """

    def __init__(
        self,
        *,
        client: str = "100",
        users: Mapping[str, str] | None = None,
        sales_areas: Iterable[tuple[str, str, str]] = (("1000", "10", "00"),),
        doc_types: Iterable[str] = ("TA",),
        first_document: int = 12345,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.client = client
        self.users = dict(users or {})
        self.sales_areas: set[tuple[str, str, str]] = {(a[0], a[1], a[2]) for a in sales_areas}
        self.doc_types = frozenset(doc_types)
        self.prices: dict[str, Decimal] = {}
        self.calls: list[Call] = []
        self.logons = 0
        self._tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
        self._numbers = itertools.count(first_document)
        self._sessions = itertools.count(1)
        self._failures: list[_Failure] = []
        self._clock = clock or (lambda: datetime.now(ZoneInfo("Asia/Shanghai")))
        self._lock = threading.RLock()

    # -- failures on demand --------------------------------------------------------------------

    def fail_next(self, function: str, error: RFCLibError, *, after: bool = False) -> None:
        """Make the next call of ``function`` (or :data:`LOGON`) raise ``error``.

        ``after=True`` runs the call first and raises afterwards (e.g. a
        ``CommunicationError`` after ``BAPI_TRANSACTION_COMMIT`` committed). A
        ``CommunicationError`` also kills the connection, discarding its uncommitted work.
        """
        with self._lock:
            self._failures.append(_Failure(function, error, after))

    def _take_failure(self, function: str) -> _Failure | None:
        with self._lock:
            for index, failure in enumerate(self._failures):
                if failure.function == function:
                    return self._failures.pop(index)
        return None

    # -- seeding -------------------------------------------------------------------------------

    def seed(
        self,
        *,
        dealers: Iterable[Mapping[str, Any]] = (),
        product_lines: Iterable[Mapping[str, Any]] = (),
        products: Iterable[Mapping[str, Any]] = (),
        unit_conversions: Iterable[Mapping[str, Any]] = (),
        stock_levels: Iterable[Mapping[str, Any]] = (),
        plants: Mapping[str, tuple[str, str]] | None = None,
        hierarchy_type: str = "A",
    ) -> SeedResult:
        """Load canonical-shaped rows as SAP master data (see :mod:`~connectors.sap_rfc.sandbox.seed`).

        Products' ``guide_price`` becomes the price the sandbox uses for items sent without a
        price condition.
        """
        area = min(self.sales_areas)
        kna1, knvh = customer_rows(dealers, sales_area=area, hierarchy_type=hierarchy_type)
        product_list = list(products)
        materials = material_rows(product_list, unit_conversions, product_lines)
        mard, assignment = stock_rows(stock_levels, plants=plants)
        for table, rows in (("KNA1", kna1), ("KNVH", knvh), *materials.items(), ("MARD", mard)):
            self.insert(table, rows)
        for product, mara in zip(product_list, materials["MARA"], strict=True):
            if product.get("guide_price") is not None:
                self.prices[mara["MATNR"]] = Decimal(product["guide_price"])
        return SeedResult(len(kna1), len(materials["MARA"]), len(mard), assignment)

    @classmethod
    def demo(cls, *, users: Mapping[str, str] | None = None, **options: Any) -> SapSandbox:
        """A sandbox holding the small built-in demo data set (users default to the demo logon)."""
        from connectors.sap_rfc.sandbox import demo_data
        from connectors.sap_rfc.spec import SANDBOX_PASSWORD, SANDBOX_USER

        sandbox = cls(users=users if users is not None else {SANDBOX_USER: SANDBOX_PASSWORD}, **options)
        sandbox.seed(
            dealers=demo_data.DEMO_DEALERS,
            product_lines=demo_data.DEMO_PRODUCT_LINES,
            products=demo_data.DEMO_PRODUCTS,
            unit_conversions=demo_data.DEMO_UNIT_CONVERSIONS,
            stock_levels=demo_data.DEMO_STOCK,
            plants={"WH-SH": ("1000", "0001"), "WH-GZ": ("1010", "0001")},
        )
        return sandbox

    # -- data ----------------------------------------------------------------------------------

    def insert(self, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """Add committed rows to ``table`` (field names checked against the dictionary)."""
        definition = TABLES[table]
        names = {f.name for f in definition.fields}
        with self._lock:
            for row in rows:
                unknown = set(row) - names
                if unknown:
                    raise KeyError(f"{table} has no field(s) {sorted(unknown)}")
                self._tables[table].append({**{name: None for name in names}, **row, "MANDT": self.client})

    def committed(self, table: str) -> list[dict[str, Any]]:
        """A copy of the committed rows of ``table``."""
        with self._lock:
            return copy.deepcopy(self._tables[table])

    def sales_orders(self) -> list[dict[str, Any]]:
        """Committed orders: each VBAK row with its ``items`` (VBAP) and ``partners`` (VBPA)."""
        items, partners = self.committed("VBAP"), self.committed("VBPA")
        return [
            {
                **order,
                "items": [i for i in items if i["VBELN"] == order["VBELN"]],
                "partners": {p["PARVW"]: p["KUNNR"] for p in partners if p["VBELN"] == order["VBELN"]},
            }
            for order in sorted(self.committed("VBAK"), key=lambda row: row["VBELN"])
        ]

    def next_document(self) -> str:
        """Take the next number of the sales-document number range."""
        with self._lock:
            return f"{next(self._numbers):010d}"

    def default_plant(self, matnr: str) -> str:
        """Where an item without a plant is delivered from: the first plant stocking it."""
        plants = sorted({row["WERKS"] for row in self.committed("MARD") if row["MATNR"] == matnr})
        return plants[0] if plants else ""

    def now(self) -> datetime:
        """The system's local time."""
        return self._clock()

    def calls_to(self, function: str) -> list[Call]:
        """The logged calls of one function, in order."""
        return [call for call in self.calls if call.function == function]

    # -- sessions ------------------------------------------------------------------------------

    def connect(self, **logon: Any) -> SandboxConnection:
        """Log on like ``pyrfc.Connection(**logon)``; ``LogonError`` on bad credentials."""
        with self._lock:
            self.logons += 1
            session = next(self._sessions)
        failure = self._take_failure(LOGON)
        if failure is not None:
            raise failure.error
        user = str(logon.get("user", "")).upper()
        expected = self.users.get(user)
        if expected is None or expected != logon.get("passwd") or str(logon.get("client")) != self.client:
            raise LogonError(
                "Name or password is incorrect (repeat logon)",
                code=2,
                key="RFC_LOGON_FAILURE",
                msg_class="00",
                msg_type="E",
                msg_number="152",
            )
        return SandboxConnection(self, session, user=user, lang=str(logon.get("lang") or "EN"))


class SandboxConnection:
    """One session in the sandbox; see :class:`SapSandbox`."""

    def __init__(self, system: SapSandbox, session: int, *, user: str, lang: str) -> None:
        self.system = system
        self.session = session
        self.user = user
        self.lang = lang.upper()
        self.language = internal_language(self.lang)
        self.pending: list[PendingOrder] = []
        self.alive = True

    def call(self, func_name: str, /, **params: Any) -> dict[str, Any]:
        """Run a function module of the sandbox."""
        if not self.alive:
            raise CommunicationError("connection closed", code=13, key="RFC_INVALID_HANDLE")
        with self.system._lock:
            self.system.calls.append(Call(self.session, func_name, copy.deepcopy(params)))
        failure = self.system._take_failure(func_name)
        if failure is not None and not failure.after:
            self._fail(failure.error)
        entry = FUNCTIONS.get(func_name)
        if entry is None:
            raise ABAPApplicationError(
                f"ID:FL Type:E Number:046 {func_name}",
                code=5,
                key="FU_NOT_FOUND",
                msg_class="FL",
                msg_type="E",
                msg_number="046",
                msg_v1=func_name,
            )
        allowed, handler = entry
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise ExternalRuntimeError(
                f"field '{unknown[0]}' not found", code=20, key="RFC_INVALID_PARAMETER"
            )
        with self.system._lock:
            result = handler(self, params)
        if failure is not None:
            self._fail(failure.error)
        return result

    def _fail(self, error: RFCLibError) -> None:
        if isinstance(error, CommunicationError):
            self.close()
        raise error

    def close(self) -> None:
        """End the session; uncommitted work is discarded."""
        self.pending = []
        self.alive = False

    def __enter__(self) -> SandboxConnection:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
