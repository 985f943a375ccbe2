"""A realistic sample dealer network for the demo, generated deterministically from a seed.

:func:`build_sample_network` returns plain rows keyed by the canonical tables' column
names (lineage columns left to the loader), so each list can be merged as it is:

* the brand 华夏乳业 (level 0), three national distributors (华东 in 杭州, 华南 in 广州,
  西南 in 成都), 12 level-1 and 18 level-2 dealers in real cities of their territory and
  ~100 terminals (supermarkets, convenience stores, mother-and-baby shops), each in a real
  GB/T 2260 district; valid USCCs; a couple of suspended/frozen dealers; a few expired
  food permits;
* 6 dairy product lines and 200 SKUs (``SKU-10001`` …) with valid GTIN-14s, case packs,
  shelf lives, guide prices and price floors;
* price lists per dealer level, a regional list for Sichuan, quantity tiers, price rules
  and three promotions (满减, 买A送B, bundle);
* four brand warehouses with lot-tracked stock, a warehouse per national distributor;
* territorial authorizations, distribution contracts and a few open receivables.

Nothing here reads a clock, the environment or a database: the same ``seed`` and
``today`` always give the same network.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from canonical_model.regions import all_regions
from flows.demo._catalog import build_product_lines, build_products, build_unit_conversions
from flows.demo._commercial import build_contracts, build_receivables
from flows.demo._dealers import BRAND_CODE, build_dealer_tree
from flows.demo._pricing import build_price_list_items, build_price_lists, build_price_rules, build_promotions
from flows.demo._stock import BRAND_WAREHOUSES, build_locations, build_stock_levels

__all__ = [
    "BRAND_CODE",
    "BRAND_WAREHOUSE_CODES",
    "DEFAULT_SEED",
    "DEFAULT_TODAY",
    "TABLES",
    "SampleNetwork",
    "build_sample_network",
]

Row = dict[str, Any]

DEFAULT_SEED: Final = 2026
#: The demo's "today": validity windows, lot ages and due dates are relative to it.
DEFAULT_TODAY: Final = date(2026, 11, 1)
#: Codes of the brand's central warehouses, in allocation priority order.
BRAND_WAREHOUSE_CODES: Final = tuple(code for code, *_rest in BRAND_WAREHOUSES)
#: Table names in foreign-key order: a parent table always comes before its children.
TABLES: Final = (
    "regions",
    "dealers",
    "dealer_qualifications",
    "product_lines",
    "products",
    "unit_conversions",
    "authorizations",
    "locations",
    "price_lists",
    "price_list_items",
    "price_rules",
    "promotions",
    "stock_levels",
    "receivables",
    "contracts",
)


@dataclass(frozen=True)
class SampleNetwork:
    """The sample network as rows per canonical table (see :data:`TABLES` for the load order)."""

    seed: int
    today: date
    regions: list[Row]
    dealers: list[Row]
    dealer_qualifications: list[Row]
    authorizations: list[Row]
    locations: list[Row]
    product_lines: list[Row]
    products: list[Row]
    unit_conversions: list[Row]
    price_lists: list[Row]
    price_list_items: list[Row]
    price_rules: list[Row]
    promotions: list[Row]
    stock_levels: list[Row]
    receivables: list[Row]
    contracts: list[Row]

    def rows(self, table: str) -> list[Row]:
        """The rows for one canonical table; ``KeyError`` for a table the network does not fill."""
        if table not in TABLES:
            raise KeyError(f"the sample network has no rows for table {table!r}")
        rows: list[Row] = getattr(self, table)
        return rows

    def counts(self) -> dict[str, int]:
        """Number of rows per table, in load order."""
        return {table: len(self.rows(table)) for table in TABLES}

    def dealers_at(self, level: int) -> list[Row]:
        """The dealers at one level (0 brand … 4 terminal)."""
        return [d for d in self.dealers if d["level"] == level]


def _rng(seed: int, part: str) -> random.Random:
    # One independent stream per part: changing how one part draws leaves the others as they were.
    # Sample data, not secrets: a seeded PRNG is the point.
    return random.Random(f"dmshub-demo:{seed}:{part}")  # noqa: S311


def build_sample_network(seed: int = DEFAULT_SEED, today: date = DEFAULT_TODAY) -> SampleNetwork:
    """Build the whole sample network for ``seed``; pure and deterministic."""
    regions = [
        {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code}
        for r in all_regions()
    ]
    tree = build_dealer_tree(_rng(seed, "dealers"), today)
    products = build_products(_rng(seed, "products"))
    return SampleNetwork(
        seed=seed,
        today=today,
        regions=regions,
        dealers=tree.dealers,
        dealer_qualifications=tree.qualifications,
        authorizations=tree.authorizations,
        locations=build_locations(tree.dealers, _rng(seed, "locations")),
        product_lines=build_product_lines(),
        products=products,
        unit_conversions=build_unit_conversions(products),
        price_lists=build_price_lists(today),
        price_list_items=build_price_list_items(products),
        price_rules=build_price_rules(products, tree.dealers, today),
        promotions=build_promotions(products, today),
        stock_levels=build_stock_levels(products, _rng(seed, "stock"), today),
        receivables=build_receivables(tree.dealers, _rng(seed, "receivables"), today),
        contracts=build_contracts(tree.dealers, _rng(seed, "contracts"), today),
    )
