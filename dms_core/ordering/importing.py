"""Bulk order import from CSV or XLSX: rows grouped into orders by ``order_ref``, all or nothing per file.

Columns (header row, any order, case-insensitive): ``dealer_code``, ``order_ref``,
``sku``, ``qty``, ``unit`` (optional: empty means the product's base unit) and
``ship_to`` (six digits: a region code; anything else: a location code). Row numbers are
the spreadsheet's: the header is row 1.

Decision: **all or nothing per file.** First every row is checked for shape (required
fields, numbers, one dealer and one ship-to per ``order_ref``); any error there and the
database is not touched. Then every order goes through :func:`place_order` inside one
savepoint; if any order comes back ``rejected``, the savepoint is rolled back — no order
of the file is stored — and each failing check is reported against its row (line
checks against the line's row, order checks against the order's first row).
``on_hold`` and ``pending_approval`` are accepted outcomes, not errors. Each order's
idempotency key is ``import:<order_ref>``, so importing the same file again returns the
orders of the first import instead of creating new ones. ``dry_run`` runs everything and
rolls back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, Final, Literal

import sqlalchemy as sa

from canonical_model.errors import ConfigError, HubError
from canonical_model.money import to_decimal
from dms_core.ordering.errors import ReasonCode
from dms_core.ordering.model import OrderLineRequest, OrderOutcome, OrderRequest
from dms_core.ordering.placing import place_order
from dms_core.ordering.repository import transaction
from dms_core.ordering.settings import OrderingSettings

__all__ = ["ImportResult", "RowError", "import_orders"]

_REQUIRED: Final = ("dealer_code", "order_ref", "sku", "qty", "ship_to")
_COLUMNS: Final = (*_REQUIRED, "unit")
Format = Literal["csv", "xlsx"]


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem with one row: the column (or pipeline step) and why."""

    row: int
    field: str | None
    message: str
    order_ref: str | None = None
    reason_code: ReasonCode | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did. ``committed`` is true only when every order was stored."""

    rows: int
    orders: tuple[OrderOutcome, ...] = ()
    errors: tuple[RowError, ...] = ()
    committed: bool = False

    @property
    def ok(self) -> bool:
        """True when no row had an error."""
        return not self.errors


@dataclass
class _Order:
    ref: str
    dealer_code: str
    ship_to: str
    rows: list[int] = field(default_factory=list)
    lines: list[OrderLineRequest] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 330106 as a number
    return str(value).strip()


def _read_rows(source: str | Path | IO[bytes], file_format: Format) -> Iterator[list[Any]]:
    if file_format == "xlsx":
        import openpyxl

        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
        try:
            yield from (list(row) for row in workbook.active.iter_rows(values_only=True))
        finally:
            workbook.close()
        return
    raw = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    yield from csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))


def _format_of(source: str | Path | IO[bytes], file_format: Format | None) -> Format:
    if file_format is not None:
        return file_format
    if isinstance(source, str | Path):
        suffix = Path(source).suffix.lower()
        if suffix in (".csv", ".xlsx"):
            return "csv" if suffix == ".csv" else "xlsx"
    raise ConfigError("cannot tell the import format: name the file .csv or .xlsx, or pass file_format")


def _parse(rows: Iterator[list[Any]]) -> tuple[list[_Order], list[RowError], int]:
    header = next(rows, None)
    if header is None:
        return [], [RowError(1, None, "the file is empty")], 0
    names = [_text(h).lower() for h in header]
    missing = [c for c in _REQUIRED if c not in names]
    if missing:
        return [], [RowError(1, c, f"missing column {c!r}") for c in missing], 0
    index: dict[str, int] = {c: names.index(c) for c in _COLUMNS if c in names}
    orders: dict[str, _Order] = {}
    errors: list[RowError] = []
    count = 0
    for number, raw in enumerate(rows, start=2):
        values = {c: _text(raw[i]) if i < len(raw) else "" for c, i in index.items()}
        if not any(values.values()):
            continue
        count += 1
        ref = values["order_ref"] or None
        problems = [RowError(number, c, f"{c} is empty", ref) for c in _REQUIRED if not values[c]]
        qty_cell = raw[index["qty"]] if index["qty"] < len(raw) else None
        if values["qty"]:
            try:
                if to_decimal(qty_cell if isinstance(qty_cell, int | float) else values["qty"]) <= 0:
                    problems.append(
                        RowError(number, "qty", f"qty must be positive, got {values['qty']}", ref)
                    )
            except HubError as exc:
                problems.append(RowError(number, "qty", str(exc), ref))
        if ref is not None and ref in orders:
            first = orders[ref]
            for column, expected in (("dealer_code", first.dealer_code), ("ship_to", first.ship_to)):
                if values[column] and values[column] != expected:
                    message = f"order {ref}: {column} {values[column]!r} differs from row {first.rows[0]}"
                    problems.append(RowError(number, column, message, ref))
        errors.extend(problems)
        if problems or ref is None:
            continue
        order = orders.setdefault(ref, _Order(ref, values["dealer_code"], values["ship_to"]))
        order.rows.append(number)
        order.lines.append(OrderLineRequest(values["sku"], values["qty"], values.get("unit") or None))
    if count == 0 and not errors:
        errors.append(RowError(1, None, "the file has a header but no rows"))
    return list(orders.values()), errors, count


def _request(order: _Order, order_date: date, created_by: str | None) -> OrderRequest:
    is_region = len(order.ship_to) == 6 and order.ship_to.isdigit()
    return OrderRequest(
        dealer_code=order.dealer_code,
        lines=order.lines,
        order_date=order_date,
        ship_to_region_code=order.ship_to if is_region else None,
        ship_to_location_code=None if is_region else order.ship_to,
        idempotency_key=f"import:{order.ref}",
        created_by=created_by,
        origin="import",
    )


def _row_errors(order: _Order, outcome: OrderOutcome) -> list[RowError]:
    errors = []
    for check in outcome.failures:
        line = check.line_no
        row = order.rows[line - 1] if line is not None and 0 < line <= len(order.rows) else order.rows[0]
        errors.append(RowError(row, check.step, check.message, order.ref, check.reason_code))
    return errors


def import_orders(
    target: sa.Engine | sa.Connection,
    source: str | Path | IO[bytes],
    *,
    settings: OrderingSettings,
    order_date: date,
    created_by: str | None = None,
    file_format: Format | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a CSV/XLSX file of order rows, all or nothing; see the module docstring for the rules."""
    orders, errors, count = _parse(_read_rows(source, _format_of(source, file_format)))
    if errors:
        return ImportResult(count, errors=tuple(errors))
    outcomes: list[OrderOutcome] = []
    failed: list[RowError] = []
    with transaction(target) as conn:
        savepoint = conn.begin_nested()
        try:
            for order in orders:
                outcome = place_order(conn, _request(order, order_date, created_by), settings=settings)
                outcomes.append(outcome)
                if outcome.status == "rejected":
                    failed.extend(_row_errors(order, outcome))
        except BaseException:
            savepoint.rollback()
            raise
        keep = not failed and not dry_run
        (savepoint.commit if keep else savepoint.rollback)()
    return ImportResult(count, tuple(outcomes), tuple(sorted(failed, key=_by_row)), committed=keep)


def _by_row(error: RowError) -> tuple[int, str]:
    return (error.row, error.field or "")
