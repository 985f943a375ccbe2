"""Orders over the API on the demo's sample network, and order isolation between dealers."""

from __future__ import annotations

import io
import itertools
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from canonical_model.store.hierarchy import refresh_dealer_closure
from canonical_model.tables import dealers, orders, reservations, utcnow
from dms_core.api import create_api_key, create_app
from flows.demo.load import load_sample_network
from flows.demo.sample_network import build_sample_network

NETWORK = build_sample_network()
TODAY = NETWORK.today.isoformat()


def key(engine: Engine, dealer: str | None) -> dict[str, str]:
    with engine.begin() as conn:
        token = create_api_key(conn, role="dealer" if dealer else "brand_channel", dealer_code=dealer)
    return {"Authorization": f"Bearer {token}"}


def stocked_lines(code: str, count: int, cases: int) -> list[dict[str, Any]]:
    """``count`` authorised, active SKUs with the most stock in date, ``cases`` cases each."""
    lines = {a["scope_code"] for a in NETWORK.authorizations if a["dealer_code"] == code}
    active = {
        p["sku"] for p in NETWORK.products if p["status"] == "active" and p["product_line_code"] in lines
    }
    stock: dict[str, Decimal] = defaultdict(Decimal)
    for row in NETWORK.stock_levels:
        if row["sku"] in active and (row["expiry_date"] is None or row["expiry_date"] >= NETWORK.today):
            stock[row["sku"]] += row["on_hand"]
    return [
        {"sku": s, "qty": cases, "unit": "CS"} for s in sorted(stock, key=lambda s: (-stock[s], s))[:count]
    ]


def dealer(code: str) -> dict[str, Any]:
    return next(d for d in NETWORK.dealers if d["code"] == code)


def ancestors(code: str | None) -> set[str]:
    found = set()
    while code is not None:
        found.add(code)
        code = dealer(code)["parent_code"]
    return found


def body_for(code: str, **more: Any) -> dict[str, Any]:
    body = {
        "dealer_code": code,
        "ship_to_region_code": dealer(code)["region_code"],
        "order_date": TODAY,
        "lines": stocked_lines(code, 2, 1),
    }
    return body | more


# Active terminals with everything in order: grade B is auto-approved (small orders), grade C never.
TERMINAL_B = next(d["code"] for d in NETWORK.dealers_at(4) if d["status"] == "active" and d["grade"] == "B")
TERMINAL_C = next(d["code"] for d in NETWORK.dealers_at(4) if d["status"] == "active" and d["grade"] == "C")
OUTSIDER = next(d["code"] for d in NETWORK.dealers_at(2) if d["code"] not in ancestors(TERMINAL_B))


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    load_sample_network(engine, NETWORK)
    with TestClient(create_app(engine), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_terminal_places_an_order_priced_explained_and_allocated(
    client: TestClient, engine: Engine
) -> None:
    response = client.post("/orders", json=body_for(TERMINAL_B), headers=key(engine, TERMINAL_B))
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["status"] == "allocated" and order["replayed"] is False and order["reasons"] == []
    assert {c["step"] for c in order["validation"]} >= {"dealer", "credit", "stock"}
    assert order["pricing"]["lines"] and all(line["explanation"] for line in order["pricing"]["lines"])
    assert Decimal(order["total_net"]) > 0
    allocated: dict[int, Decimal] = defaultdict(Decimal)
    for a in order["allocations"]:
        allocated[a["line_no"]] += Decimal(a["qty"])
    assert {n: q for n, q in allocated.items()} == {
        line["line_no"]: Decimal(line["qty_base"]) for line in order["lines"]
    }
    again = client.get(f"/orders/{order['order_no']}", headers=key(engine, TERMINAL_B)).json()
    assert again["allocations"] == order["allocations"] and again["status"] == "allocated"


def test_a_rejected_order_is_422_with_every_reason_and_still_stored(
    client: TestClient, engine: Engine
) -> None:
    body = body_for(TERMINAL_B, lines=[{"sku": "NO-SUCH-SKU", "qty": 1}], ship_to_region_code="999999")
    response = client.post("/orders", json=body, headers=key(engine, TERMINAL_B))
    assert response.status_code == 422
    rejected = response.json()
    assert rejected["code"] == "order_rejected" and rejected["status"] == "rejected"
    assert {"invalid_ship_to", "unknown_product"} <= set(rejected["reasons"])
    stored = client.get(f"/orders/{rejected['order_no']}", headers=key(engine, None))
    assert stored.status_code == 200 and stored.json()["reasons"] == rejected["reasons"]


def test_a_problem_dealer_is_rejected_with_its_reason_code(client: TestClient, engine: Engine) -> None:
    response = client.post("/orders", json=body_for("T-0044"), headers=key(engine, "T-0044"))
    assert response.status_code == 422
    assert "qualification_expired" in response.json()["reasons"]


def test_a_replayed_idempotency_key_returns_the_first_order_with_200(
    client: TestClient, engine: Engine
) -> None:
    headers = key(engine, TERMINAL_B) | {"Idempotency-Key": "portal-42"}
    first = client.post("/orders", json=body_for(TERMINAL_B), headers=headers)
    second = client.post("/orders", json=body_for(TERMINAL_B), headers=headers)
    in_body = client.post(
        "/orders", json=body_for(TERMINAL_B, idempotency_key="portal-42"), headers=key(engine, TERMINAL_B)
    )
    assert (first.status_code, second.status_code, in_body.status_code) == (201, 200, 200)
    assert first.json()["order_no"] == second.json()["order_no"] == in_body.json()["order_no"]
    assert second.json()["replayed"] is True
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).where(orders.c.dealer_code == TERMINAL_B)).scalar()
    assert count == 1


def test_a_dealer_cannot_order_for_a_dealer_outside_its_subtree(client: TestClient, engine: Engine) -> None:
    response = client.post("/orders", json=body_for(TERMINAL_B), headers=key(engine, OUTSIDER))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_listing_filters_paginates_and_shows_only_the_callers_network(
    client: TestClient, engine: Engine
) -> None:
    brand = key(engine, None)
    for terminal in (TERMINAL_B, TERMINAL_C):
        assert client.post("/orders", json=body_for(terminal), headers=brand).status_code == 201
    everything = client.get("/orders", headers=brand).json()
    assert everything["total"] == 2
    pending = client.get("/orders", params={"status": "pending_approval"}, headers=brand).json()
    assert [o["dealer_code"] for o in pending["orders"]] == [TERMINAL_C]
    page = client.get("/orders", params={"limit": 1, "offset": 1}, headers=brand).json()
    assert page["total"] == 2 and len(page["orders"]) == 1
    later = client.get("/orders", params={"date_from": "2030-01-01"}, headers=brand).json()
    assert later["total"] == 0
    own = client.get("/orders", headers=key(engine, TERMINAL_B)).json()
    assert [o["dealer_code"] for o in own["orders"]] == [TERMINAL_B]
    hidden = client.get("/orders", params={"dealer_code": TERMINAL_C}, headers=key(engine, TERMINAL_B))
    assert hidden.status_code == 404


def test_cancel_releases_the_order_and_a_second_cancel_is_409(client: TestClient, engine: Engine) -> None:
    headers = key(engine, TERMINAL_B)
    order_no = client.post("/orders", json=body_for(TERMINAL_B), headers=headers).json()["order_no"]
    done = client.post(f"/orders/{order_no}/cancel", json={"reason": "ordered twice"}, headers=headers)
    assert done.status_code == 200
    assert done.json() == {"order_no": order_no, "from_status": "allocated", "status": "cancelled"}
    with engine.connect() as conn:
        statuses = conn.execute(sa.select(reservations.c.status).where(reservations.c.order_no == order_no))
        assert set(statuses.scalars()) == {"released"}
    again = client.post(f"/orders/{order_no}/cancel", json={"reason": "again"}, headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert "Traceback" not in again.text


def test_only_brand_roles_approve(client: TestClient, engine: Engine) -> None:
    order = client.post("/orders", json=body_for(TERMINAL_C), headers=key(engine, TERMINAL_C)).json()
    assert order["status"] == "pending_approval"
    refused = client.post(f"/orders/{order['order_no']}/approve", headers=key(engine, TERMINAL_C))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    approved = client.post(f"/orders/{order['order_no']}/approve", headers=key(engine, None))
    assert approved.status_code == 200 and approved.json()["status"] == "allocated"
    assert client.get(f"/orders/{order['order_no']}", headers=key(engine, None)).json()["allocations"]
    twice = client.post(f"/orders/{order['order_no']}/approve", headers=key(engine, None))
    assert twice.status_code == 409


def test_an_unknown_order_is_404(client: TestClient, engine: Engine) -> None:
    for method, path in (("GET", "/orders/NOPE"), ("POST", "/orders/NOPE/approve")):
        response = client.request(method, path, headers=key(engine, None))
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def import_csv(rows: list[tuple[str, ...]]) -> bytes:
    lines = ["dealer_code,order_ref,sku,qty,unit,ship_to", *(",".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode()


def test_a_csv_import_stores_every_order(client: TestClient, engine: Engine) -> None:
    region = dealer(TERMINAL_B)["region_code"]
    sku = stocked_lines(TERMINAL_B, 1, 1)[0]["sku"]
    data = import_csv(
        [(TERMINAL_B, "R1", sku, "1", "CS", region), (TERMINAL_B, "R2", sku, "1", "CS", region)]
    )
    response = client.post(
        "/orders/import",
        params={"order_date": TODAY},
        files={"file": ("orders.csv", data, "text/csv")},
        headers=key(engine, TERMINAL_B),
    )
    assert response.status_code == 200, response.json()
    assert response.json()["committed"] is True and len(response.json()["orders"]) == 2


def test_an_xlsx_import_with_a_bad_row_imports_nothing_and_names_the_row(
    client: TestClient, engine: Engine
) -> None:
    region = dealer(TERMINAL_B)["region_code"]
    sku = stocked_lines(TERMINAL_B, 1, 1)[0]["sku"]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["dealer_code", "order_ref", "sku", "qty", "unit", "ship_to"])
    sheet.append([TERMINAL_B, "R1", sku, 1, "CS", region])
    sheet.append([TERMINAL_B, "R2", "NO-SUCH-SKU", 1, "CS", region])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post(
        "/orders/import",
        params={"order_date": TODAY},
        content=buffer.getvalue(),
        headers=key(engine, None)
        | {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )
    assert response.status_code == 422 and response.json()["code"] == "import_rejected"
    assert [(e["row"], e["reason_code"]) for e in response.json()["errors"]] == [(3, "unknown_product")]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(orders)).scalar() == 0


def test_an_import_naming_a_dealer_outside_the_subtree_is_404(client: TestClient, engine: Engine) -> None:
    data = import_csv([(TERMINAL_B, "R1", "X", "1", "", "310116")])
    response = client.post(
        "/orders/import", files={"file": ("o.csv", data, "text/csv")}, headers=key(engine, OUTSIDER)
    )
    assert response.status_code == 404


def test_an_unreadable_upload_is_a_4xx_not_a_server_error(client: TestClient, engine: Engine) -> None:
    garbage = client.post(
        "/orders/import",
        files={"file": ("o.xlsx", b"not a zip", "application/octet-stream")},
        headers=key(engine, None),
    )
    assert garbage.status_code == 422 and garbage.json()["code"] == "invalid_upload"
    unknown = client.post(
        "/orders/import", content=b"{}", headers=key(engine, None) | {"Content-Type": "x/y"}
    )
    assert unknown.status_code == 415


# A small tree for the exhaustive isolation check: B → N0 (→ L0 → T0, L1), N1 (→ L2).
TREE: list[tuple[str, int, str | None]] = [
    ("B", 0, None),
    ("N0", 1, "B"),
    ("N1", 1, "B"),
    ("L0", 2, "N0"),
    ("L1", 2, "N0"),
    ("L2", 2, "N1"),
    ("T0", 4, "L0"),
]
PARENT = {code: parent for code, _, parent in TREE}


def is_ancestor_or_self(ancestor: str, code: str | None) -> bool:
    while code is not None:
        if code == ancestor:
            return True
        code = PARENT[code]
    return False


def test_a_dealer_reads_and_cancels_another_dealers_order_only_from_an_ancestor(engine: Engine) -> None:
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            dealers.insert(),
            [
                {"code": c, "name": c, "level": lv, "parent_code": p, "created_at": now, "updated_at": now}
                for c, lv, p in TREE
            ],
        )
        refresh_dealer_closure(conn)
        keys = {code: create_api_key(conn, role="dealer", dealer_code=code) for code in PARENT}
        # One pending order per (actor, owner), so every allowed cancel has an order of its own.
        conn.execute(
            orders.insert(),
            [
                {
                    "order_no": f"SO-{owner}-{actor}",
                    "dealer_code": owner,
                    "status": "pending_approval",
                    "order_date": date(2026, 11, 1),
                }
                for actor, owner in itertools.product(PARENT, PARENT)
            ],
        )
    wrong = []
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        for actor, owner in itertools.product(PARENT, PARENT):
            headers = {"Authorization": f"Bearer {keys[actor]}"}
            order_no = f"SO-{owner}-{actor}"
            expected = (200, 200) if is_ancestor_or_self(actor, owner) else (404, 404)
            got = (
                client.get(f"/orders/{order_no}", headers=headers).status_code,
                client.post(
                    f"/orders/{order_no}/cancel", json={"reason": "test"}, headers=headers
                ).status_code,
            )
            if got != expected:
                wrong.append((actor, owner, got))
    assert wrong == []
    with engine.connect() as conn:
        cancelled = set(
            conn.execute(sa.select(orders.c.order_no).where(orders.c.status == "cancelled")).scalars()
        )
    assert cancelled == {
        f"SO-{owner}-{actor}"
        for actor, owner in itertools.product(PARENT, PARENT)
        if is_ancestor_or_self(actor, owner)
    }
