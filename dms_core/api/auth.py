"""API keys and the principal behind a request.

A key reads ``dmsk_<key_id>_<secret>``. Only a SHA-256 of the secret is stored; the key id
finds the row and the hash is compared in constant time. Brand roles see the whole
network; a dealer key sees its own dealer and every dealer below it (the closure table).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from canonical_model.errors import ConfigError
from canonical_model.store.hierarchy import is_in_subtree, subtree_select
from canonical_model.tables import api_keys, dealers, utcnow

__all__ = ["Principal", "Role", "authenticate", "create_api_key", "revoke_api_key"]

Role = Literal["brand_admin", "brand_channel", "dealer"]
PREFIX = "dmsk"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a brand role, or a dealer (and so its subtree)."""

    key_id: str
    role: Role
    dealer_code: str | None = None

    @property
    def is_brand(self) -> bool:
        return self.role != "dealer"

    def can_see(self, conn: sa.Connection, dealer_code: str) -> bool:
        """True if ``dealer_code`` is this principal's dealer or below it (brand: always)."""
        if self.is_brand:
            return True
        assert self.dealer_code is not None
        return is_in_subtree(conn, self.dealer_code, dealer_code)

    def visible_dealers(self) -> sa.Select[tuple[str]] | None:
        """A SELECT of the dealer codes this principal may see (None: all of them)."""
        return None if self.is_brand or self.dealer_code is None else subtree_select(self.dealer_code)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    conn: sa.Connection, *, role: Role, dealer_code: str | None = None, label: str | None = None
) -> str:
    """Create a key and return it — the only time the full key is ever visible."""
    if (role == "dealer") != (dealer_code is not None):
        raise ConfigError("a dealer key needs --dealer; a brand key must not have one")
    if dealer_code is not None:
        exists = conn.execute(sa.select(dealers.c.code).where(dealers.c.code == dealer_code)).first()
        if exists is None:
            raise ConfigError(f"no dealer {dealer_code!r}")
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    conn.execute(
        api_keys.insert().values(
            key_id=key_id,
            secret_hash=_hash(secret),
            role=role,
            dealer_code=dealer_code,
            label=label,
            created_at=utcnow(),
        )
    )
    return f"{PREFIX}_{key_id}_{secret}"


def revoke_api_key(conn: sa.Connection, key_id: str) -> bool:
    """Revoke a key by its id; False if there was no such active key."""
    done = conn.execute(
        sa.update(api_keys)
        .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return done.rowcount == 1


def authenticate(conn: sa.Connection, token: str) -> Principal | None:
    """The principal for ``token``, or None for a malformed, unknown or revoked key."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    _, key_id, secret = parts
    row = conn.execute(
        sa.select(api_keys.c.secret_hash, api_keys.c.role, api_keys.c.dealer_code).where(
            api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None)
        )
    ).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
        return None
    return Principal(key_id=key_id, role=row.role, dealer_code=row.dealer_code)
