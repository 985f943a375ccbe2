"""The bulk-merge primitive on both backends: idempotence, change detection, revival, exact values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.errors import ConfigError, ValidationError
from canonical_model.store.merge import MERGE_METHOD_FOR_DIALECT, merge_rows, soft_delete_missing
from canonical_model.tables import dealers, stock_levels, trace_events

CST = timezone(timedelta(hours=8))
WMS = {"source_system": "wms-sftp", "sync_run_id": "run-1"}
GOLDEN_HASH = "92032b9150709f8f"


def _stock(i: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "location_code": "WH-SH",
        "sku": f"SKU-{i:03d}",
        "lot": "",
        "on_hand": Decimal(i) + Decimal("0.5"),
        "reserved": Decimal(0),
        "in_transit": Decimal("1.25"),
        "expiry_date": date(2026, 1, 1),
        "as_of": datetime(2025, 3, 1, 9, 30, tzinfo=CST),
    }
    row.update(over)
    return row


def _all(conn: sa.Connection, table: sa.Table) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
    return [dict(r) for r in rows]


def _merge(engine: Engine, table: sa.Table, rows: Any, **kwargs: Any) -> Any:
    with engine.begin() as conn:
        return merge_rows(conn, table, rows, **kwargs)


def test_rerunning_the_same_batch_changes_nothing(engine: Engine) -> None:
    rows = [_stock(i) for i in range(5)]
    first = _merge(engine, stock_levels, rows, lineage=WMS)
    with engine.connect() as conn:
        before = _all(conn, stock_levels)
    second = _merge(engine, stock_levels, rows, lineage={**WMS, "sync_run_id": "run-2"})
    assert (first.inserted, first.updated, first.unchanged) == (5, 0, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 5)
    with engine.connect() as conn:
        assert _all(conn, stock_levels) == before  # updated_at and sync_run_id included


def test_merge_takes_the_copy_path_on_postgresql_and_upserts_on_sqlite(engine: Engine) -> None:
    result = _merge(engine, stock_levels, [_stock(1)])
    assert result.method == MERGE_METHOD_FOR_DIALECT[engine.dialect.name]
    assert result.method == ("copy" if engine.dialect.name == "postgresql" else "upsert")


def test_changed_rows_update_and_count_as_updated(engine: Engine) -> None:
    _merge(engine, stock_levels, [_stock(i) for i in range(3)], lineage=WMS)
    with engine.connect() as conn:
        before = {r["sku"]: r for r in _all(conn, stock_levels)}
    changed = [_stock(0), _stock(1, on_hand=Decimal("99")), _stock(2)]
    result = _merge(engine, stock_levels, changed, lineage={**WMS, "sync_run_id": "run-2"})
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2)
    with engine.connect() as conn:
        after = {r["sku"]: r for r in _all(conn, stock_levels)}
    assert after["SKU-001"]["on_hand"] == Decimal("99")
    assert after["SKU-001"]["sync_run_id"] == "run-2"
    assert after["SKU-001"]["created_at"] == before["SKU-001"]["created_at"]
    assert after["SKU-001"]["updated_at"] >= before["SKU-001"]["updated_at"]
    assert after["SKU-001"]["payload_hash"] != before["SKU-001"]["payload_hash"]
    assert after["SKU-000"] == before["SKU-000"]


def test_a_soft_deleted_row_that_comes_back_is_revived(engine: Engine) -> None:
    _merge(engine, stock_levels, [_stock(1), _stock(2)], lineage=WMS)
    with engine.begin() as conn:
        assert soft_delete_missing(conn, stock_levels, run_id="run-2") == 2
    result = _merge(engine, stock_levels, [_stock(1)], lineage={**WMS, "sync_run_id": "run-3"})
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    with engine.connect() as conn:
        rows = {r["sku"]: r for r in _all(conn, stock_levels)}
    assert rows["SKU-001"]["deleted_at"] is None
    assert rows["SKU-001"]["sync_run_id"] == "run-3"
    assert rows["SKU-002"]["deleted_at"] is not None


def test_duplicate_keys_in_one_batch_raise_naming_the_key(engine: Engine) -> None:
    rows = [_stock(1), _stock(2), _stock(1, on_hand=Decimal(7))]
    with pytest.raises(
        ValidationError, match=r"duplicate key \(location_code, sku, lot\).*'WH-SH', 'SKU-001', ''"
    ):
        _merge(engine, stock_levels, rows)
    with engine.connect() as conn:
        assert _all(conn, stock_levels) == []


def test_an_unknown_column_is_a_config_error_naming_it(engine: Engine) -> None:
    with pytest.raises(ConfigError, match=r"stock_levels has no column\(s\) colour"):
        _merge(engine, stock_levels, [_stock(1, colour="red")])


def test_a_missing_required_column_is_a_config_error_naming_it(engine: Engine) -> None:
    with pytest.raises(ConfigError, match=r"lack required column\(s\) name"):
        _merge(engine, dealers, [{"code": "D1", "level": 2}])


def test_a_null_in_a_required_column_is_a_validation_error(engine: Engine) -> None:
    with pytest.raises(ValidationError, match=r"dealers\.name is null in 1 row"):
        _merge(
            engine,
            dealers,
            [{"code": "D1", "name": "ok", "level": 1}, {"code": "D2", "name": None, "level": 2}],
        )


def test_a_check_constraint_violation_is_a_validation_error(engine: Engine) -> None:
    with pytest.raises(ValidationError, match="stock_levels"):
        _merge(engine, stock_levels, [_stock(1, reserved=Decimal(-1))])


def test_bad_dates_and_overlong_strings_are_refused_on_both_backends(engine: Engine) -> None:
    with pytest.raises(ValidationError, match=r"stock_levels\.expiry_date"):
        _merge(engine, stock_levels, [_stock(1, expiry_date="2025-02-30")])
    with pytest.raises(ValidationError, match=r"stock_levels\.sku: 41 characters, at most 40 fit"):
        _merge(engine, stock_levels, [_stock(1, sku="S" * 41)])
    with engine.connect() as conn:
        assert _all(conn, stock_levels) == []


def test_the_payload_hash_is_the_same_on_every_backend_and_run(engine: Engine) -> None:
    # A change to the canonical encoding changes every hash and re-updates every row once:
    # this golden value makes such a change deliberate.
    _merge(engine, stock_levels, [_stock(1)])
    with engine.connect() as conn:
        assert conn.execute(sa.select(stock_levels.c.payload_hash)).scalar_one() == GOLDEN_HASH


def test_decimal_values_are_exact_whatever_form_they_arrive_in(engine: Engine) -> None:
    rows = [
        _stock(1, on_hand=Decimal("12345678901234.1234"), reserved="0.0001", in_transit=7),
        _stock(2, on_hand=0.1, reserved=Decimal("3.10"), in_transit=1e-4),
        _stock(3, on_hand=-0.0, reserved=2.5e3, in_transit="12345678901234.9999"),
    ]
    _merge(engine, stock_levels, rows)
    with engine.connect() as conn:
        got = [(r["on_hand"], r["reserved"], r["in_transit"]) for r in _all(conn, stock_levels)]
        total = conn.execute(sa.select(sa.func.sum(stock_levels.c.on_hand))).scalar_one()
    assert got == [
        (Decimal("12345678901234.1234"), Decimal("0.0001"), Decimal(7)),
        (Decimal("0.1"), Decimal("3.1"), Decimal("0.0001")),
        (Decimal(0), Decimal(2500), Decimal("12345678901234.9999")),
    ]
    assert all(isinstance(v, Decimal) for row in got for v in row)
    assert total == Decimal("12345678901234.2234")  # SUM in SQL is exact too


def test_aware_datetimes_round_trip_as_the_same_instant(engine: Engine) -> None:
    stamp = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=CST)
    _merge(engine, stock_levels, [_stock(1, as_of=stamp)])
    with engine.connect() as conn:
        (row,) = _all(conn, stock_levels)
    assert row["as_of"] == stamp
    assert row["as_of"].tzinfo is not None and row["as_of"].utcoffset() == timedelta(0)
    assert row["as_of"].microsecond == 123456


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with pytest.raises(ValidationError, match="naive"):
        _merge(engine, stock_levels, [_stock(1, as_of=datetime(2025, 3, 1, 9, 30))])


def test_the_same_data_as_a_dataframe_or_as_dicts_is_unchanged(engine: Engine) -> None:
    dicts = [_stock(i) for i in range(4)]
    _merge(engine, stock_levels, dicts)
    frame = pd.DataFrame(
        {
            "location_code": ["WH-SH"] * 4,
            "sku": [f"SKU-{i:03d}" for i in range(4)],
            "lot": "",
            "on_hand": [i + 0.5 for i in range(4)],
            "reserved": 0,
            "in_transit": ["1.2500"] * 4,
            "expiry_date": pd.to_datetime(["2026-01-01"] * 4),
            "as_of": pd.to_datetime(["2025-03-01T01:30:00Z"] * 4),
        }
    )
    result = _merge(engine, stock_levels, frame)
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 4)


def test_nan_nat_and_none_become_null(engine: Engine) -> None:
    frame = pd.DataFrame(
        {
            "location_code": ["WH-SH", "WH-SH"],
            "sku": ["A", "B"],
            "lot": ["", ""],
            "on_hand": [1.0, 2.0],
            "expiry_date": [pd.NaT, pd.Timestamp("2026-02-01")],
            "as_of": pd.Series([pd.NaT, pd.Timestamp("2025-01-01", tz="UTC")]),
        }
    )
    _merge(engine, stock_levels, frame)
    with engine.connect() as conn:
        rows = _all(conn, stock_levels)
        nulls = conn.execute(sa.select(sa.func.count()).where(stock_levels.c.as_of.is_(None))).scalar_one()
    assert [(r["expiry_date"], r["as_of"]) for r in rows] == [
        (None, None),
        (date(2026, 2, 1), datetime(2025, 1, 1, tzinfo=UTC)),
    ]
    assert rows[0]["reserved"] == Decimal(0)  # omitted column: its server default
    assert nulls == 1


def test_strings_keep_tabs_newlines_backslashes_and_empty_versus_null(engine: Engine) -> None:
    tricky = "line1\nline2\tcol\\path\r\\N"
    rows = [
        {
            "code": "D1",
            "name": tricky,
            "level": 1,
            "address": "",
            "contact_name": "\\N",
            "credit_limit": Decimal("50000.00"),
            "contract_required": True,
            "payment_terms_days": 30,
        },
        {
            "code": "D2",
            "name": "经销商 二",
            "level": 2,
            "parent_code": "D1",
            "address": None,
            "contact_name": None,
            "credit_limit": 0,
            "contract_required": False,
            "payment_terms_days": 0,
        },
    ]
    _merge(engine, dealers, rows)
    with engine.connect() as conn:
        d1, d2 = _all(conn, dealers)
    assert (d1["name"], d1["address"], d1["contact_name"]) == (tricky, "", "\\N")
    assert (d1["contract_required"], d1["payment_terms_days"], d1["credit_limit"]) == (
        True,
        30,
        Decimal(50000),
    )
    assert (d2["name"], d2["address"], d2["contact_name"]) == ("经销商 二", None, None)
    assert (d2["status"], d2["currency"], d2["grade"]) == ("active", "CNY", None)  # omitted: server defaults


def test_json_columns_round_trip_and_none_is_sql_null(engine: Engine) -> None:
    document = {
        "type": "ObjectEvent",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
        "note": '扫码\t"quoted"\\n',
        "quantity": Decimal("2.50"),
        "nested": {"b": [1, None], "a": True},
    }
    rows = [
        {
            "event_id": "ev-1",
            "event_type": "ObjectEvent",
            "action": "OBSERVE",
            "event_time": datetime(2025, 5, 1, 8, tzinfo=CST),
            "document": document,
            "error_declaration": None,
        },
        {
            "event_id": "ev-2",
            "event_type": "ObjectEvent",
            "action": "ADD",
            "event_time": datetime(2025, 5, 1, 9, tzinfo=UTC),
            "document": [],
            "error_declaration": {"reason": "x"},
        },
    ]
    first = _merge(engine, trace_events, rows)
    again = _merge(engine, trace_events, rows)
    with engine.connect() as conn:
        ev1, ev2 = _all(conn, trace_events)
        sql_nulls = conn.execute(
            sa.select(sa.func.count()).where(trace_events.c.error_declaration.is_(None))
        ).scalar_one()
    assert (first.inserted, again.unchanged) == (2, 2)
    assert ev1["document"] == {**document, "quantity": "2.50"}
    assert (ev2["document"], ev2["error_declaration"]) == ([], {"reason": "x"})
    assert sql_nulls == 1


def test_touch_unchanged_stamps_the_run_on_unchanged_rows(engine: Engine) -> None:
    _merge(engine, stock_levels, [_stock(1), _stock(2)], lineage=WMS)
    result = _merge(
        engine,
        stock_levels,
        [_stock(1), _stock(2, on_hand=Decimal(5)), _stock(3)],
        lineage={**WMS, "sync_run_id": "run-2"},
        touch_unchanged=True,
    )
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 1)
    with engine.connect() as conn:
        assert {r["sync_run_id"] for r in _all(conn, stock_levels)} == {"run-2"}


def test_soft_delete_missing_marks_exactly_the_rows_the_run_did_not_stamp(engine: Engine) -> None:
    _merge(engine, stock_levels, [_stock(i) for i in range(4)], lineage=WMS)
    _merge(engine, stock_levels, [_stock(9, location_code="WH-ERP")], lineage={"source_system": "erp"})
    with engine.begin() as conn:
        refresh = merge_rows(
            conn,
            stock_levels,
            [_stock(0), _stock(2)],
            touch_unchanged=True,
            lineage={**WMS, "sync_run_id": "run-2"},
        )
        deleted = soft_delete_missing(
            conn, stock_levels, run_id="run-2", where=stock_levels.c.source_system == "wms-sftp"
        )
        again = soft_delete_missing(
            conn, stock_levels, run_id="run-2", where=stock_levels.c.source_system == "wms-sftp"
        )
    assert (refresh.unchanged, deleted, again) == (2, 2, 0)
    with engine.connect() as conn:
        gone = {
            (r["location_code"], r["sku"]) for r in _all(conn, stock_levels) if r["deleted_at"] is not None
        }
    assert gone == {("WH-SH", "SKU-001"), ("WH-SH", "SKU-003")}


def test_merge_never_commits_the_callers_transaction(engine: Engine) -> None:
    with engine.connect() as conn:
        merge_rows(conn, stock_levels, [_stock(1)])
        conn.rollback()
    with engine.connect() as conn:
        assert _all(conn, stock_levels) == []


def test_a_given_payload_hash_is_kept_and_an_empty_batch_does_nothing(engine: Engine) -> None:
    _merge(engine, stock_levels, [_stock(1, payload_hash="from-source")])
    empty = _merge(engine, stock_levels, [])
    with engine.connect() as conn:
        (row,) = _all(conn, stock_levels)
    assert row["payload_hash"] == "from-source"
    assert (empty.inserted, empty.updated, empty.unchanged) == (0, 0, 0)


@pytest.mark.slow
def test_100k_rows_merge_through_copy_on_postgresql(pg_engine: Engine) -> None:
    n = 100_000
    rng = np.random.default_rng(7)
    on_hand = rng.integers(0, 10**6, n)
    frame = pd.DataFrame(
        {
            "location_code": [f"WH-{i % 50:02d}" for i in range(n)],
            "sku": [f"SKU-{i:07d}" for i in range(n)],
            "lot": "",
            "on_hand": on_hand / 100,
            "reserved": rng.integers(0, 10, n),
            "in_transit": [Decimal(int(x)).scaleb(-4) for x in rng.integers(0, 10**8, n)],
            "expiry_date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
            "as_of": pd.Timestamp("2025-06-01", tz="Asia/Shanghai") + pd.to_timedelta(np.arange(n), unit="s"),
        }
    )
    with pg_engine.begin() as conn:
        first = merge_rows(conn, stock_levels, frame, lineage=WMS)
    changed = frame.copy()
    changed.loc[changed.index % 10 == 0, "reserved"] += 1
    with pg_engine.begin() as conn:
        second = merge_rows(conn, stock_levels, changed, lineage={**WMS, "sync_run_id": "run-2"})
        count, total, transit, run2 = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.sum(stock_levels.c.on_hand),
                sa.func.sum(stock_levels.c.in_transit),
                sa.func.count().filter(stock_levels.c.sync_run_id == "run-2"),
            )
        ).one()
    assert (first.method, first.inserted, first.updated, first.unchanged) == ("copy", n, 0, 0)
    assert (second.method, second.inserted, second.updated, second.unchanged) == (
        "copy",
        0,
        n // 10,
        n - n // 10,
    )
    assert (count, run2) == (n, n // 10)
    assert total == Decimal(int(on_hand.sum())).scaleb(-2)
    assert transit == sum(frame["in_transit"], Decimal(0))
