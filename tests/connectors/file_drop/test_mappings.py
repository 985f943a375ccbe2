"""The shipped ``mappings/file-drop/*.yaml`` against the streams' schemas and tricky values (no database)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import pytest

from canonical_model.identifiers import is_valid_gtin
from connectors.file_drop.streams import DealersStream, FileStream, ProductsStream, StockStream
from flows.demo.sample_network import build_sample_network
from mappings.engine import MappedBatch, compile_mapping
from mappings.reference import ReferenceData
from mappings.registry import load_spec_for
from mappings.schema_check import check_spec_against_schema

NETWORK = build_sample_network()


def apply(stream: str, rows: Sequence[Mapping[str, Any]], keys: Mapping[str, frozenset[str]]) -> MappedBatch:
    spec = load_spec_for("file-drop", stream)
    frame = pd.DataFrame([{k: "" if v is None else str(v) for k, v in row.items()} for row in rows])
    frame["_malformed"] = ""
    frame["_file"] = f"{stream}_20261101.csv"
    return compile_mapping(spec, reference=ReferenceData(keys=dict(keys))).apply(frame)


@pytest.mark.parametrize("stream", [StockStream, ProductsStream, DealersStream])
def test_each_mapping_reads_only_columns_its_stream_declares(stream: type[FileStream]) -> None:
    assert check_spec_against_schema(load_spec_for("file-drop", stream.name), stream.json_schema) == []


def test_the_gtin_rule_agrees_with_python_stdnum_on_good_and_mistyped_gtins() -> None:
    rng = random.Random(7)
    gtins = [str(p["gtin"]) for p in NETWORK.products[:40]]
    mistyped = []
    for gtin in gtins:
        position = rng.randrange(14)
        digit = str((int(gtin[position]) + rng.randrange(1, 10)) % 10)
        mistyped.append(gtin[:position] + digit + gtin[position + 1 :])
    short_forms = ["6923456100015", "96385074", "036000291452", "00000000000000"]
    candidates = gtins + mistyped + short_forms
    rows = [{"sku": f"SKU-{i}", "gtin": g, "name": "n"} for i, g in enumerate(candidates)]
    mapped = apply("products", rows, {"product_lines.code": frozenset()})
    accepted = set(mapped.valid["sku"])
    for i, gtin in enumerate(candidates):
        expected = is_valid_gtin(gtin.zfill(14)) and gtin.strip("0") != ""
        assert (f"SKU-{i}" in accepted) == expected, gtin
    assert mapped.valid.loc[mapped.valid["sku"] == "SKU-80", "gtin"].tolist() == ["06923456100015"]


def test_a_gtin_that_is_not_digits_is_rejected_by_its_format_check() -> None:
    mapped = apply(
        "products",
        [{"sku": "SKU-1", "gtin": "69234561000X5", "name": "n"}],
        {"product_lines.code": frozenset()},
    )
    assert [r.rule for r in mapped.rejects] == ["check:gtin"]


def test_dealer_levels_and_statuses_may_come_in_chinese() -> None:
    rows = [
        {"code": "BRAND", "name": "华夏乳业", "level": "品牌", "status": "正常"},
        {"code": "ND-EAST", "name": "华东总代", "level": "总代", "parent_code": "BRAND", "status": "冻结"},
        {"code": "D1-001", "name": "一级", "level": "一级", "parent_code": "ND-EAST", "status": "暂停"},
    ]
    mapped = apply("dealers", rows, {"dealers.code": frozenset(), "regions.code": frozenset()})
    assert mapped.rejects == []
    assert mapped.valid[["level", "status"]].values.tolist() == [
        [0, "active"],
        [1, "frozen"],
        [2, "suspended"],
    ]


def test_only_the_brand_may_come_without_a_parent() -> None:
    rows = [{"code": "D1-009", "name": "孤儿经销商", "level": "2"}]
    mapped = apply("dealers", rows, {"dealers.code": frozenset(), "regions.code": frozenset()})
    assert [r.rule for r in mapped.rejects] == ["check:only_the_brand_has_no_parent"]


def test_a_malformed_stock_line_is_rejected_even_when_its_fields_look_fine() -> None:
    row = {
        "warehouse_code": "WH-SH",
        "sku": "SKU-10001",
        "lot": "L1",
        "on_hand": "5",
        "updated_at": "2026-11-01",
    }
    spec = load_spec_for("file-drop", "stock")
    frame = pd.DataFrame([row, row | {"lot": "L2"}])
    frame["_malformed"] = ["", "8 fields where the header has 7: WH-SH,SKU-10001,L2,5,..."]
    frame["_file"] = "inv_WH-SH_20261101.csv"
    keys = {"products.sku": frozenset({"SKU-10001"}), "locations.code": frozenset({"WH-SH"})}
    mapped = compile_mapping(spec, reference=ReferenceData(keys=keys)).apply(frame)
    assert mapped.valid["lot"].tolist() == ["L1"]
    assert [r.rule for r in mapped.rejects] == ["check:well_formed_line"]
