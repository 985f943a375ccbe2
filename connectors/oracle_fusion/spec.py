"""Config of the ``oracle-fusion`` connector (source and order sink share it).

A minimal config::

    base_url: https://fa-abcd-saasfaprod1.fa.ocs.oraclecloud.com
    auth: {type: basic, username: DMSHUB.INTEGRATION, password: {$env: FUSION_PASSWORD}}
    business_unit_name: Vision Operations        # needed to create orders only
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = ["API_VERSION", "BasicAuth", "BearerAuth", "FusionAuth", "OracleFusionConfig"]

API_VERSION = "11.13.18.05"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BasicAuth(_Model):
    """HTTP basic authentication with a Fusion integration user."""

    type: Literal["basic"]
    username: str = Field(min_length=1, description="Fusion user with the order-management REST roles.")
    password: SecretStr = Field(description="That user's password.")


class BearerAuth(_Model):
    """``Authorization: Bearer <token>`` (an OAuth access token or a JWT issued for Fusion)."""

    type: Literal["bearer"]
    access_token: SecretStr = Field(description="The access token.")


# "type": "object" tells spec readers (and the conformance lint, which flags untyped secret-named
# properties) that `auth` is an object of credentials, not a credential string itself.
FusionAuth = Annotated[
    BasicAuth | BearerAuth, Field(discriminator="type", json_schema_extra={"type": "object"})
]


class OracleFusionConfig(_Model):
    """Where the Fusion pod is, how to log in, and how orders the hub creates are labelled."""

    model_config = ConfigDict(title="Oracle Fusion Cloud SCM (REST)", extra="forbid")

    base_url: str = Field(
        pattern=r"^https?://[^\s/]+(:\d+)?/?$",
        description="The pod's root URL, e.g. https://fa-abcd-saasfaprod1.fa.ocs.oraclecloud.com",
    )
    auth: FusionAuth
    api_version: str = Field(
        default=API_VERSION, pattern=r"^[0-9.]+$", description="REST resource version in the path."
    )
    page_size: int = Field(
        default=100, ge=1, le=500, description="`limit` per request (Fusion caps it at 500)."
    )
    start_date: datetime | None = Field(
        default=None, description="First read only: orders last updated at or after this instant."
    )
    source_transaction_system: str = Field(
        default="DMSHUB",
        min_length=1,
        max_length=30,
        pattern=r"^[A-Za-z0-9_]+$",
        description="SourceTransactionSystem of the orders the hub creates (registered in Fusion).",
    )
    business_unit_name: str | None = Field(
        default=None, description="BusinessUnitName of created orders (required to create orders)."
    )
    uom_codes: dict[str, str] = Field(
        default_factory=dict,
        description="Canonical unit → Fusion UOM code for created order lines (e.g. {EA: Ea}); "
        "units not listed are sent as they are.",
    )
    requests_per_second: float | None = Field(default=None, gt=0, description="Client-side rate limit.")
    max_retries: int = Field(default=4, ge=0, le=10, description="Retries of a failed request.")
    timeout_seconds: float = Field(default=60.0, gt=0, le=600, description="Read timeout per request.")

    @field_validator("start_date")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("start_date needs a UTC offset (e.g. 2024-05-01T00:00:00+08:00)")
        return value

    @property
    def resource_root(self) -> str:
        """``{base_url}/fscmRestApi/resources/{version}/``."""
        return f"{self.base_url.rstrip('/')}/fscmRestApi/resources/{self.api_version}/"
