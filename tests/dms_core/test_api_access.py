"""The API's authentication and data isolation: a dealer reaches only itself and its subtree."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from canonical_model.store.hierarchy import refresh_dealer_closure
from canonical_model.tables import dealers, utcnow
from dms_core.api import create_api_key, create_app
from dms_core.api.auth import revoke_api_key

# brand → 2 national → 2 level-1 each → 1 level-2 each → 2 terminals each: 19 dealers.
TREE: list[tuple[str, int, str | None]] = [("B", 0, None)]
for n in range(2):
    TREE.append((f"N{n}", 1, "B"))
    for l1 in range(2):
        TREE.append((f"N{n}L{l1}", 2, f"N{n}"))
        TREE.append((f"N{n}L{l1}M", 3, f"N{n}L{l1}"))
        TREE += [(f"N{n}L{l1}M-T{t}", 4, f"N{n}L{l1}M") for t in range(2)]
PARENT = {code: parent for code, _, parent in TREE}


def is_ancestor_or_self(ancestor: str, code: str | None) -> bool:
    while code is not None:
        if code == ancestor:
            return True
        code = PARENT[code]
    return False


@pytest.fixture
def api(engine: Engine) -> Iterator[tuple[TestClient, dict[str, str]]]:
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
        keys = {code: create_api_key(conn, role="dealer", dealer_code=code) for code, _, _ in TREE}
        keys["brand"] = create_api_key(conn, role="brand_channel")
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        yield client, keys


def test_every_dealer_pair_is_visible_only_from_an_ancestor(api: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = api
    wrong = []
    for viewer, target in itertools.product(PARENT, PARENT):
        response = client.get(f"/dealers/{target}", headers={"Authorization": f"Bearer {keys[viewer]}"})
        expected = 200 if is_ancestor_or_self(viewer, target) else 404
        if response.status_code != expected:
            wrong.append((viewer, target, response.status_code))
    assert wrong == []
    assert len(PARENT) ** 2 == 361


def test_a_subtree_lists_exactly_the_descendants_and_is_hidden_outside(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = api
    own = client.get("/dealers/N0L1/subtree", headers={"X-API-Key": keys["N0"]}).json()
    assert {d["code"] for d in own["dealers"]} == {c for c in PARENT if is_ancestor_or_self("N0L1", c)}
    assert own["count"] == 4
    hidden = client.get("/dealers/N0/subtree", headers={"X-API-Key": keys["N1"]})
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    assert client.get("/dealers/N1/subtree", headers={"X-API-Key": keys["brand"]}).json()["count"] == 9


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "an API key is required (Authorization: Bearer <key>)"),
        ({"Authorization": "Basic dXNlcjpwdw=="}, "use 'Authorization: Bearer <api key>'"),
        ({"Authorization": "Bearer dmsk_0000000000000000_nope"}, "unknown or revoked API key"),
        ({"X-API-Key": "not-a-key"}, "unknown or revoked API key"),
    ],
)
def test_missing_or_bad_credentials_are_401_json(
    api: tuple[TestClient, dict[str, str]], headers: dict[str, str], message: str
) -> None:
    client, _ = api
    response = client.get("/dealers/B", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"code": "unauthenticated", "message": message}


def test_a_revoked_key_stops_working(api: tuple[TestClient, dict[str, str]], engine: Engine) -> None:
    client, keys = api
    headers = {"Authorization": f"Bearer {keys['N1']}"}
    assert client.get("/dealers/N1", headers=headers).status_code == 200
    with engine.begin() as conn:
        assert revoke_api_key(conn, keys["N1"].split("_")[1])
    assert client.get("/dealers/N1", headers=headers).status_code == 401


def test_the_store_keeps_only_a_hash_of_the_secret(
    api: tuple[TestClient, dict[str, str]], engine: Engine
) -> None:
    _, keys = api
    secret = keys["brand"].split("_", 2)[2]
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT secret_hash FROM api_keys")).scalars().all()
    assert stored and all(secret not in value for value in stored)
