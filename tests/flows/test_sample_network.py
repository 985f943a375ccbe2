"""The demo's sample dealer network: realistic, valid, deterministic, and loadable on both backends."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from canonical_model.identifiers import normalize_gln, normalize_gtin, normalize_uscc
from canonical_model.regions import is_within, validate_region_code
from canonical_model.store.hierarchy import subtree_codes
from canonical_model.tables import ExactDecimal, UTCDateTime, dealers, stock_levels
from canonical_model.tables import table as canonical_table
from flows.demo.load import load_sample_network, merge_sample_network, summarize_network
from flows.demo.sample_network import BRAND_WAREHOUSE_CODES, TABLES, SampleNetwork, build_sample_network
from flows.demo.stock_files import COLUMNS, bad_rows_in_snapshot, read_snapshot, write_stock_snapshot


@pytest.fixture(scope="module")
def network() -> SampleNetwork:
    return build_sample_network()


# --------------------------------------------------------------------------- determinism


def test_the_same_seed_builds_the_same_network() -> None:
    assert build_sample_network(7) == build_sample_network(7)


def test_a_different_seed_builds_a_different_network() -> None:
    first, second = build_sample_network(1), build_sample_network(2)
    assert first.dealers != second.dealers
    assert first.stock_levels != second.stock_levels


# --------------------------------------------------------------------------- shape and counts


def test_the_tree_has_one_brand_three_nationals_about_thirty_dealers_and_a_hundred_terminals(
    network: SampleNetwork,
) -> None:
    levels = Counter(d["level"] for d in network.dealers)
    assert levels[0] == 1
    assert levels[1] == 3
    assert 25 <= levels[2] + levels[3] <= 35
    assert 90 <= levels[4] <= 110


def test_the_dealer_tree_is_well_formed(network: SampleNetwork) -> None:
    by_code = {d["code"]: d for d in network.dealers}
    assert len(by_code) == len(network.dealers)
    roots = [d for d in network.dealers if d["parent_code"] is None]
    assert [r["level"] for r in roots] == [0]
    seen: set[str] = set()
    for dealer in network.dealers:
        if dealer["parent_code"] is not None:
            parent = by_code[dealer["parent_code"]]
            assert parent["level"] < dealer["level"], dealer["code"]
            assert parent["code"] in seen, "parents come before their children (load order)"
        seen.add(dealer["code"])


def test_terminals_sit_in_a_district_of_their_dealers_city(network: SampleNetwork) -> None:
    by_code = {d["code"]: d for d in network.dealers}
    for terminal in network.dealers_at(4):
        parent = by_code[terminal["parent_code"]]
        assert parent["level"] in (2, 3)
        assert is_within(terminal["region_code"], parent["region_code"][:4])


def test_every_region_code_used_is_a_known_gbt2260_code(network: SampleNetwork) -> None:
    assert {r["code"] for r in network.regions} >= {d["region_code"] for d in network.dealers}
    used = [d["region_code"] for d in network.dealers]
    used += [loc["region_code"] for loc in network.locations]
    used += [a["region_code"] for a in network.authorizations]
    for code in used:
        assert validate_region_code(code) == code
    for price_list in network.price_lists:
        if price_list["region_prefix"] is not None:
            validate_region_code(price_list["region_prefix"].ljust(6, "0"))


def test_every_dealer_has_a_valid_unique_unified_social_credit_code(network: SampleNetwork) -> None:
    codes = [d["uscc"] for d in network.dealers]
    assert len(set(codes)) == len(codes)
    for dealer in network.dealers:
        assert normalize_uscc(dealer["uscc"]) == dealer["uscc"]
        assert dealer["uscc"][2:8] == dealer["region_code"], "registered where the dealer sits"


def test_about_two_hundred_products_carry_valid_gs1_china_gtins(network: SampleNetwork) -> None:
    assert 180 <= len(network.products) <= 220
    assert 5 <= len(network.product_lines) <= 7
    gtins = [p["gtin"] for p in network.products]
    assert len(set(gtins)) == len(gtins)
    for product in network.products:
        assert normalize_gtin(product["gtin"]) == product["gtin"]
        assert 690 <= int(product["gtin"][1:4]) <= 699
        assert product["sku"].startswith("SKU-")
        assert product["case_pack"] in (6, 12, 24)
        assert product["order_multiple"] in (1, product["case_pack"])
        assert Decimal(0) < product["price_floor"] < product["guide_price"]
        assert product["guide_price"] == product["guide_price"].quantize(Decimal("0.01"))
    cases = {(c["sku"], c["unit"]): c["factor"] for c in network.unit_conversions}
    assert all(cases[(p["sku"], "CS")] == p["case_pack"] for p in network.products)
    assert any(p["order_multiple"] > 1 for p in network.products)


def test_glns_given_are_valid(network: SampleNetwork) -> None:
    glns = [row["gln"] for row in [*network.dealers, *network.locations] if row["gln"] is not None]
    assert glns
    assert all(normalize_gln(gln) == gln for gln in glns)


def test_rows_use_their_tables_columns_with_python_types_the_store_expects(network: SampleNetwork) -> None:
    for name in TABLES:
        target = canonical_table(name)
        rows = network.rows(name)
        assert rows, name
        keys = {frozenset(row) for row in rows}
        assert len(keys) == 1, f"{name}: every row has the same columns"
        assert set(rows[0]) <= set(target.c.keys()), name
        primary = [c.name for c in target.primary_key.columns]
        assert len({tuple(r[k] for k in primary) for r in rows}) == len(rows), f"{name}: duplicate key"
        for column in (target.c[c] for c in rows[0]):
            values = [r[column.name] for r in rows if r[column.name] is not None]
            if isinstance(column.type, ExactDecimal):
                assert all(isinstance(v, Decimal) for v in values), column
            elif isinstance(column.type, UTCDateTime):
                assert all(isinstance(v, datetime) and v.utcoffset() == timedelta(0) for v in values), column
            elif isinstance(column.type, sa.Date):
                assert all(type(v) is date for v in values), column


def test_prices_stay_above_the_floor_and_higher_tiers_are_cheaper(network: SampleNetwork) -> None:
    products = {p["sku"]: p for p in network.products}
    lists = {pl["code"]: pl for pl in network.price_lists}
    assert {pl["dealer_level"] for pl in lists.values()} == {1, 2, 3, 4}
    assert any(pl["region_prefix"] for pl in lists.values())
    tiers: dict[tuple[str, str], dict[Decimal, Decimal]] = {}
    for item in network.price_list_items:
        product = products[item["sku"]]
        assert product["status"] == "active"
        assert product["price_floor"] <= item["unit_price"] < product["guide_price"]
        tiers.setdefault((item["price_list_code"], item["sku"]), {})[item["min_qty"]] = item["unit_price"]
    tiered = [t for t in tiers.values() if len(t) > 1]
    assert tiered
    for prices in tiered:
        ordered = [prices[q] for q in sorted(prices)]
        assert ordered == sorted(ordered, reverse=True)
    assert {r["action"] for r in network.price_rules} >= {"percent_off", "fixed_price"}
    assert any(r["tier_mode"] == "incremental" for r in network.price_rules)


def test_promotions_cover_threshold_discount_buy_x_get_y_and_bundle(network: SampleNetwork) -> None:
    kinds = {p["kind"]: p for p in network.promotions}
    assert set(kinds) == {"threshold_discount", "buy_x_get_y", "bundle"}
    skus = {p["sku"] for p in network.products}
    gift = kinds["buy_x_get_y"]
    assert gift["free_sku"] in skus and gift["sku"] in skus
    assert gift["free_qty"] == gift["free_qty"].to_integral_value() > 0
    assert all(part["sku"] in skus for part in kinds["bundle"]["bundle"])


def test_stock_lives_in_the_four_brand_warehouses_with_expiries_within_shelf_life(
    network: SampleNetwork,
) -> None:
    brand = [loc for loc in network.locations if loc["kind"] == "brand_warehouse"]
    assert [loc["code"] for loc in brand] == list(BRAND_WAREHOUSE_CODES)
    assert len(brand) == 4
    nationals = {d["code"] for d in network.dealers_at(1)}
    assert {
        loc["owner_dealer_code"] for loc in network.locations if loc["kind"] == "dealer_warehouse"
    } == nationals
    shelf = {p["sku"]: p["shelf_life_days"] for p in network.products}
    for row in network.stock_levels:
        assert row["location_code"] in BRAND_WAREHOUSE_CODES
        assert row["on_hand"] >= 0 and row["in_transit"] >= 0
        if row["lot"]:
            assert row["lot"].startswith("L")
            assert network.today < row["expiry_date"] <= network.today + timedelta(days=shelf[row["sku"]])
    for code in BRAND_WAREHOUSE_CODES:
        here = [r for r in network.stock_levels if r["location_code"] == code]
        assert any(r["on_hand"] == 0 for r in here), f"{code} has some SKUs out of stock"
        assert len({r["sku"] for r in here}) >= 0.8 * len(network.products)


def test_a_few_dealers_are_blocked_or_out_of_date(network: SampleNetwork) -> None:
    statuses = Counter(d["status"] for d in network.dealers)
    assert statuses["active"] > 0.95 * len(network.dealers)
    assert statuses["suspended"] >= 1 and statuses["frozen"] >= 1
    expired = [
        q for q in network.dealer_qualifications if q["valid_until"] and q["valid_until"] < network.today
    ]
    assert 1 <= len({q["dealer_code"] for q in expired}) <= 5
    contracts = Counter(c["status"] for c in network.contracts)
    assert contracts["expired"] == 1
    assert contracts["signed"] >= 0.9 * len(network.contracts)
    contracted = {d["code"] for d in network.dealers if d["contract_required"]}
    assert contracted == {d["code"] for d in network.dealers if d["level"] in (1, 2, 3)}
    assert {c["dealer_code"] for c in network.contracts} == contracted


def test_authorizations_follow_the_tree_and_receivables_stay_within_credit(network: SampleNetwork) -> None:
    lines: dict[str, set[str]] = {d["code"]: set() for d in network.dealers}
    for auth in network.authorizations:
        lines[auth["dealer_code"]].add(auth["scope_code"])
    by_code = {d["code"]: d for d in network.dealers}
    for dealer in network.dealers:
        if dealer["level"] >= 1:
            assert lines[dealer["code"]], f"{dealer['code']} is authorised for something"
        if dealer["level"] >= 2:
            assert lines[dealer["code"]] <= lines[dealer["parent_code"]]
    open_by_dealer: Counter[str] = Counter()
    for receivable in network.receivables:
        open_by_dealer[receivable["dealer_code"]] += receivable["amount_open"]
    assert open_by_dealer
    for code, amount in open_by_dealer.items():
        assert amount <= by_code[code]["credit_limit"]


# --------------------------------------------------------------------------- stock files


def test_the_snapshot_is_one_wms_file_per_brand_warehouse(network: SampleNetwork, tmp_path: Path) -> None:
    paths = write_stock_snapshot(network, tmp_path)
    assert [p.name for p in paths] == [f"inv_{code}_20261101.csv" for code in BRAND_WAREHOUSE_CODES]
    assert sorted(tmp_path.iterdir()) == sorted(paths), "no *.part file left behind"
    bad = {(b.sku, b.lot) for b in bad_rows_in_snapshot(network)}
    written = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == list(COLUMNS)
        written += [r for r in read_snapshot(path) if (r["sku"], r["lot"]) not in bad]
    expected = [(r["location_code"], r["sku"], r["lot"], r["on_hand"]) for r in network.stock_levels]
    assert [(r["warehouse_code"], r["sku"], r["lot"], Decimal(r["on_hand"])) for r in written] == expected


def test_the_bad_rows_are_exactly_where_bad_rows_in_snapshot_says(
    network: SampleNetwork, tmp_path: Path
) -> None:
    paths = write_stock_snapshot(network, tmp_path, encoding="gbk", today=date(2026, 11, 2))
    bad = bad_rows_in_snapshot(network, today=date(2026, 11, 2))
    assert [b.reason for b in bad] == ["unknown_sku", "not_a_number", "negative_quantity"]
    skus = {p["sku"] for p in network.products}
    for row in bad:
        path = next(p for p in paths if p.name == row.file_name)
        line = path.read_text(encoding="gbk").splitlines()[row.line_no - 1]
        record = dict(zip(COLUMNS, next(csv.reader([line])), strict=True))
        assert record[row.field] == row.value
        assert read_snapshot(path, encoding="gbk")[row.record_no - 1] == record
    unknown, not_a_number, negative = bad
    assert unknown.sku not in skus
    with pytest.raises(ArithmeticError):
        Decimal(not_a_number.value)
    assert Decimal(negative.value) < 0
    assert len({(b.sku, b.lot) for b in bad} & {(r["sku"], r["lot"]) for r in network.stock_levels}) == 0


# --------------------------------------------------------------------------- store


def test_loading_twice_changes_nothing_the_second_time(engine: sa.Engine, network: SampleNetwork) -> None:
    counts = load_sample_network(engine, network, run_id="run-1")
    assert counts == network.counts()
    with engine.connect() as conn:
        stamps = conn.execute(sa.select(dealers.c.code, dealers.c.updated_at, dealers.c.sync_run_id)).all()
        stock = conn.execute(sa.select(sa.func.count(), sa.func.max(stock_levels.c.updated_at))).one()
    assert load_sample_network(engine, network, run_id="run-2") == counts
    with engine.begin() as conn:
        again = merge_sample_network(conn, network, run_id="run-3")
        assert sorted(
            conn.execute(sa.select(dealers.c.code, dealers.c.updated_at, dealers.c.sync_run_id))
        ) == sorted(stamps)
        assert conn.execute(sa.select(sa.func.count(), sa.func.max(stock_levels.c.updated_at))).one() == stock
    assert {name: (r.inserted, r.updated) for name, r in again.items()} == {name: (0, 0) for name in TABLES}


def test_the_summary_read_back_matches_the_built_network(engine: sa.Engine, network: SampleNetwork) -> None:
    load_sample_network(engine, network)
    summary = summarize_network(engine)
    assert dict(summary.dealers_by_level) == dict(Counter(d["level"] for d in network.dealers))
    assert summary.products == len(network.products)
    assert summary.product_lines == len(network.product_lines)
    assert summary.warehouses == len(network.locations)
    assert summary.regions == len(network.regions)
    on_hand: Counter[str] = Counter()
    for row in network.stock_levels:
        on_hand[row["location_code"]] += row["on_hand"]
    assert dict(summary.on_hand_by_warehouse) == dict(on_hand)
    assert summary.provinces_covered == len({d["region_code"][:2] for d in network.dealers})


def test_the_subtree_of_a_national_distributor_is_exactly_its_descendants(
    engine: sa.Engine, network: SampleNetwork
) -> None:
    load_sample_network(engine, network)
    children: dict[str, list[str]] = {}
    for dealer in network.dealers:
        children.setdefault(dealer["parent_code"], []).append(dealer["code"])
    for national in network.dealers_at(1):
        expected, frontier = {national["code"]}, [national["code"]]
        while frontier:
            below = children.get(frontier.pop(), [])
            expected.update(below)
            frontier.extend(below)
        with engine.connect() as conn:
            assert subtree_codes(conn, national["code"]) == sorted(expected)
        assert len(expected) > 10
    with engine.connect() as conn:
        assert len(subtree_codes(conn, "BRAND")) == len(network.dealers)
