"""The sample dealer tree: brand → 3 national distributors → 30 level-1/2 dealers → ~100 terminals.

Every dealer sits in a real GB/T 2260 district of its city (read from
:mod:`canonical_model.regions`), carries a valid unified social credit code built with
python-stdnum's check digit, and is authorised for its product lines in its territory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from stdnum.cn import uscc as stdnum_uscc

from canonical_model.identifiers import gs1_check_digit
from canonical_model.regions import districts, get_region, region_name
from flows.demo._catalog import BRAND_NAME, COMPANY_PREFIX, LINE_CODES

__all__ = ["DealerTree", "address_in", "build_dealer_tree", "place_name"]

Row = dict[str, Any]

BRAND_CODE: Final = "BRAND"
_BRAND_DISTRICT: Final = "310104"  # 上海市徐汇区
#: code, area, capital city, provinces of the territory
_NATIONALS: Final = (
    ("ND-EAST", "华东", "330100", ("310000", "320000", "330000", "340000")),
    ("ND-SOUTH", "华南", "440100", ("440000", "350000", "450000", "460000")),
    ("ND-WEST", "西南", "510100", ("510000", "500000", "520000", "530000")),
)
#: level-1 dealer city, its national distributor, the cities of the level-2 dealers below it
_LEVEL1: Final = (
    ("310100", "ND-EAST", ("310100",)),
    ("320100", "ND-EAST", ("321000", "320300")),
    ("320500", "ND-EAST", ("320200", "320400", "320600")),
    ("330200", "ND-EAST", ("330300", "331000", "330600")),
    ("340100", "ND-EAST", ()),
    ("440300", "ND-SOUTH", ("441300",)),
    ("440600", "ND-SOUTH", ("440700", "440400", "441200")),
    ("350200", "ND-SOUTH", ("350500", "350600")),
    ("450100", "ND-SOUTH", ()),
    ("500100", "ND-WEST", ("500200",)),
    ("510700", "ND-WEST", ("510600", "511300")),
    ("530100", "ND-WEST", ()),
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_TRADES: Final = _words(
    "恒信 鑫源 嘉禾 瑞丰 宏达 永盛 德和 汇通 润泽 东升 华茂 金穗 康源 顺达 泰和 同德 祥云 新禾 益佳"
    " 裕隆 兆丰 宝丰 聚福 隆昌 明泰 荣达 盛源 天润 万隆 信诚 亿家 悦来 众恒 福瑞 广源 和盛 佳禾 乐源"
)
_COMPANY_SUFFIXES: Final = ("商贸有限公司", "食品有限公司", "贸易有限公司", "供应链有限公司")
_TERMINAL_KINDS: Final = {
    "超市": (("惠民", "万家福", "佳佳乐", "百汇", "邻里", "家家乐", "好运来", "鲜丰"), "超市", 0.4),
    "便利店": (("邻家", "喜客", "优选", "快乐购", "24小时", "日日鲜"), "便利店", 0.3),
    "母婴店": (("贝贝乐", "宝贝之家", "亲亲宝贝", "童乐", "爱婴坊", "小脚丫"), "母婴生活馆", 0.3),
}
#: Which lines a kind of terminal sells (intersected with what its dealer carries).
_TERMINAL_LINES: Final = {
    "超市": ("IF", "AP", "LM", "YG", "CH"),
    "便利店": ("LM", "YG", "CH"),
    "母婴店": ("IF", "CH"),
}
_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN: Final = _words("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建华 志强 海燕")
_STREETS: Final = _words(
    "人民路 中山路 解放路 建设路 和平路 新华路 长江路 黄河路 文化路 胜利路 青年路 花园路"
)
_SUFFIXES: Final = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市")
#: credit limit in units of 10,000 CNY (range start, stop, step) and payment terms per level
_CREDIT: Final = {1: (500, 801, 50), 2: (80, 201, 10), 3: (20, 61, 5), 4: (1, 6, 1)}
_TERMS: Final = {1: (60,), 2: (30, 45), 3: (30,), 4: (0, 0, 15)}
_GRADES: Final = {1: (1, 0, 0), 2: (4, 4, 2), 3: (2, 5, 3), 4: (15, 45, 40)}


@dataclass(frozen=True, slots=True)
class DealerTree:
    """Dealers (parents before children), their qualifications and authorizations."""

    dealers: list[Row]
    qualifications: list[Row]
    authorizations: list[Row]


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def place_name(city_code: str) -> str:
    """The everyday name of a city: 杭州 for 330100, 上海 for 310100 (a municipality's 市辖区)."""
    region = get_region(city_code)
    if region.name in ("市辖区", "县") and region.parent_code is not None:
        return _short(region_name(region.parent_code))
    return _short(region.name)


def address_in(district_code: str, rng: random.Random) -> str:
    """A street address in the district: province, city (unless a municipality), district, street."""
    district = get_region(district_code)
    city = get_region(district.parent_code or district_code)
    province = region_name(city.parent_code or city.code)
    city_part = "" if city.name in ("市辖区", "县") else city.name
    return f"{province}{city_part}{district.name}{rng.choice(_STREETS)}{rng.randint(1, 999)}号"


def _org_code(rng: random.Random) -> str:
    # GB 11714 organisation code: 8 digits and a mod-11 check (python-stdnum has no module for it).
    body = "".join(str(rng.randint(0, 9)) for _ in range(8))
    check = 11 - sum(int(d) * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def _uscc(rng: random.Random, district_code: str, entity: str, seen: set[str]) -> str:
    while True:
        body = f"{entity}{district_code}{_org_code(rng)}"
        code = body + stdnum_uscc.calc_check_digit(body)
        if code not in seen:
            seen.add(code)
            return code


def _contact(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
    phone = rng.choice(("135", "138", "139", "150", "186", "188", "177")) + f"{rng.randrange(10**8):08d}"
    return name, phone


class _Builder:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.rows: list[Row] = []
        self.lines: dict[str, tuple[str, ...]] = {}
        self.territory: dict[str, tuple[str, ...]] = {}
        self.usccs: set[str] = set()
        self.trades = rng.sample(_TRADES, len(_TRADES))

    def district_of(self, city_code: str) -> str:
        return self.rng.choice(districts(city_code[:4])).code

    def add(
        self, code: str, name: str, level: int, parent: str | None, district: str, *, entity: str = "91"
    ) -> Row:
        rng = self.rng
        contact, phone = _contact(rng)
        grade = None if level == 0 else rng.choices("ABC", weights=_GRADES[level])[0]
        credit = Decimal(0) if level == 0 else Decimal(rng.randrange(*_CREDIT[level]) * 10_000)
        gln = f"{COMPANY_PREFIX}00001" if level == 0 else None
        row: Row = {
            "code": code,
            "name": name,
            "level": level,
            "parent_code": parent,
            "status": "active",
            "grade": grade,
            "uscc": _uscc(rng, district, entity, self.usccs),
            "gln": None if gln is None else gln + gs1_check_digit(gln),
            "region_code": district,
            "credit_limit": credit,
            "currency": "CNY",
            "payment_terms_days": 0 if level == 0 else rng.choice(_TERMS[level]),
            "contract_required": level in (1, 2, 3),
            "contact_name": contact,
            "contact_phone": phone,
            "address": address_in(district, rng),
        }
        self.rows.append(row)
        return row

    def company(self, city_code: str) -> str:
        return f"{place_name(city_code)}{self.trades.pop()}{self.rng.choice(_COMPANY_SUFFIXES)}"


def _terminals(b: _Builder, parents: list[Row], cities: dict[str, str]) -> None:
    rng = b.rng
    count = rng.randint(96, 104)
    weights = [3 if p["level"] == 2 else 2 for p in parents]
    per_parent = [1] * len(parents)
    for index in rng.choices(range(len(parents)), weights=weights, k=count - len(parents)):
        per_parent[index] += 1
    kinds = list(_TERMINAL_KINDS)
    names: set[str] = set()
    number = 0
    for parent, n in zip(parents, per_parent, strict=True):
        for _ in range(n):
            number += 1
            kind = rng.choices(kinds, weights=[k[2] for k in _TERMINAL_KINDS.values()])[0]
            prefixes, label, _weight = _TERMINAL_KINDS[kind]
            district = b.district_of(cities[parent["code"]])
            name = f"{rng.choice(prefixes)}{label}({region_name(district)}店)"
            if name in names:
                name = name.replace("店)", f"{number}号店)")
            names.add(name)
            code = f"T-{number:04d}"
            b.add(code, name, 4, parent["code"], district, entity="91" if kind == "超市" else "92")
            parent_lines = b.lines[parent["code"]]
            lines = tuple(line for line in parent_lines if line in _TERMINAL_LINES[kind]) or parent_lines[:2]
            b.lines[code] = lines
            b.territory[code] = (cities[parent["code"]],)


def _qualifications(b: _Builder) -> list[Row]:
    rng, today = b.rng, b.today
    rows: list[Row] = []
    expired = {d["code"] for d in rng.sample([d for d in b.rows if d["level"] == 3], 1)}
    expired |= {d["code"] for d in rng.sample([d for d in b.rows if d["level"] == 4], 2)}
    for d in b.rows:
        founded = today - timedelta(days=rng.randint(3 * 365, 15 * 365))
        rows.append(
            {
                "dealer_code": d["code"],
                "kind": "business_license",
                "number": d["uscc"],
                "valid_from": founded,
                "valid_until": None,
            }
        )
        if d["code"] in expired:
            until = today - timedelta(days=rng.randint(10, 90))
        else:
            until = today + timedelta(days=rng.randint(60, 1500))
        prefix = "SC" if d["level"] == 0 else f"JY{rng.randint(1, 3)}"
        rows.append(
            {
                "dealer_code": d["code"],
                "kind": "production_permit" if d["level"] == 0 else "food_permit",
                "number": f"{prefix}{d['region_code']}{rng.randrange(10**7):07d}",
                "valid_from": until - timedelta(days=5 * 365),
                "valid_until": until,
            }
        )
    return rows


def _authorizations(b: _Builder) -> list[Row]:
    start, end = date(b.today.year, 1, 1), date(b.today.year, 12, 31)
    return [
        {
            "dealer_code": code,
            "scope_type": "product_line",
            "scope_code": line,
            "region_code": region,
            "valid_from": start,
            "valid_until": end,
        }
        for code, regions in b.territory.items()
        for region in regions
        for line in b.lines[code]
    ]


def build_dealer_tree(rng: random.Random, today: date) -> DealerTree:
    """The whole tree, deterministic for the state of ``rng``."""
    b = _Builder(rng, today)
    b.add(BRAND_CODE, f"{BRAND_NAME}股份有限公司", 0, None, _BRAND_DISTRICT)
    cities: dict[str, str] = {}
    for code, area, capital, provinces in _NATIONALS:
        province = _short(region_name(capital[:2] + "0000"))
        name = f"{province}{b.trades.pop()}供应链管理有限公司({area}总代)"
        b.add(code, name, 1, BRAND_CODE, b.district_of(capital))
        b.lines[code], b.territory[code], cities[code] = LINE_CODES, provinces, capital
    mid: list[Row] = []
    level2_specs: list[tuple[str, str]] = []
    for index, (city, national, below) in enumerate(_LEVEL1, start=1):
        row = b.add(f"D1-{index:03d}", b.company(city), 2, national, b.district_of(city))
        drop = ("BC",) if rng.random() < 0.3 else ()
        b.lines[row["code"]] = tuple(line for line in LINE_CODES if line not in drop)
        b.territory[row["code"]], cities[row["code"]] = (city,), city
        mid.append(row)
        level2_specs.extend((child_city, row["code"]) for child_city in below)
    for index, (city, parent) in enumerate(level2_specs, start=1):
        row = b.add(f"D2-{index:03d}", b.company(city), 3, parent, b.district_of(city))
        droppable = [line for line in ("AP", "CH", "BC") if line in b.lines[parent]]
        dropped = set(rng.sample(droppable, rng.randint(0, min(2, len(droppable)))))
        b.lines[row["code"]] = tuple(line for line in b.lines[parent] if line not in dropped)
        b.territory[row["code"]], cities[row["code"]] = (city,), city
        mid.append(row)
    _terminals(b, mid, cities)
    rng.choice([d for d in b.rows if d["level"] == 3])["status"] = "suspended"
    frozen, suspended = rng.sample([d for d in b.rows if d["level"] == 4], 2)
    frozen["status"], suspended["status"] = "frozen", "suspended"
    return DealerTree(b.rows, _qualifications(b), _authorizations(b))
