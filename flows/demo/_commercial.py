"""Contracts and open receivables of the sample network's contracted dealers (levels 1–3)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from flows.demo._catalog import money

__all__ = ["build_contracts", "build_receivables"]

Row = dict[str, Any]

_PROVIDERS: Final = ("esign-fadada", "esign-docusign", "paper")
_PROVIDER_WEIGHTS: Final = (6, 2, 1)
_RECEIVABLE_DEALERS: Final = 8
_NEAR_LIMIT_SHARE: Final = Decimal("0.95")


def _external_id(provider: str, rng: random.Random) -> str | None:
    if provider == "esign-fadada":
        return f"FDD{rng.randrange(10**15):015d}"
    if provider == "esign-docusign":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return None


def _signed_at(year: int, rng: random.Random) -> datetime:
    return datetime(year, 12, rng.randint(1, 28), rng.randint(1, 10), rng.randint(0, 59), tzinfo=UTC)


def build_contracts(dealers: list[Row], rng: random.Random, today: date) -> list[Row]:
    """A distribution contract per contracted dealer: most signed, one expired, one awaiting signature."""
    contracted = [d for d in dealers if d["contract_required"]]
    level2 = [d["code"] for d in contracted if d["level"] == 3]
    expired, awaiting = rng.sample(level2, 2)
    start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    rows: list[Row] = []
    for number, dealer in enumerate(contracted, start=1):
        provider = rng.choices(_PROVIDERS, weights=_PROVIDER_WEIGHTS)[0]
        row: Row = {
            "contract_no": f"HT-{today.year}-{number:04d}",
            "dealer_code": dealer["code"],
            "kind": "distribution",
            "provider": provider,
            "external_id": _external_id(provider, rng),
            "status": "signed",
            "valid_from": start,
            "valid_until": end,
            "signed_at": _signed_at(today.year - 1, rng),
        }
        if dealer["code"] == expired:
            # Last year's contract ran out and was never renewed.
            row.update(
                contract_no=f"HT-{today.year - 1}-{number:04d}",
                status="expired",
                valid_from=date(today.year - 1, 1, 1),
                valid_until=date(today.year - 1, 12, 31),
                signed_at=_signed_at(today.year - 2, rng),
            )
        elif dealer["code"] == awaiting:
            provider = "esign-fadada"
            row.update(
                provider=provider, external_id=_external_id(provider, rng), status="sent", signed_at=None
            )
        rows.append(row)
    return rows


def build_receivables(dealers: list[Row], rng: random.Random, today: date) -> list[Row]:
    """Open invoices for a few active dealers; one dealer sits at 95 % of its credit limit, one is overdue."""
    candidates = [d for d in dealers if d["level"] in (1, 2, 3) and d["status"] == "active"]
    chosen = sorted(rng.sample(candidates, _RECEIVABLE_DEALERS), key=lambda d: str(d["code"]))
    near_limit = rng.choice([d for d in chosen if d["level"] == 2] or chosen)
    overdue = rng.choice([d for d in chosen if d is not near_limit])
    rows: list[Row] = []
    for dealer in chosen:
        limit: Decimal = dealer["credit_limit"]
        share = _NEAR_LIMIT_SHARE if dealer is near_limit else Decimal(str(round(rng.uniform(0.1, 0.4), 3)))
        parts = rng.randint(1, 3)
        total = money(limit * share)
        amounts = [money(total / parts)] * (parts - 1)
        amounts.append(total - sum(amounts, Decimal(0)))
        for amount in amounts:
            terms = int(dealer["payment_terms_days"])
            due = today + timedelta(days=rng.randint(1, max(terms, 1)))
            if dealer is overdue:
                due = today - timedelta(days=rng.randint(10, 40))
            rows.append(
                {
                    "document_no": f"AR-{today.year}-{len(rows) + 1:06d}",
                    "dealer_code": dealer["code"],
                    "amount_open": amount,
                    "currency": "CNY",
                    "due_date": due,
                }
            )
    return rows
