"""Config of the ``oracle-ebs`` connector (source and order sink share it).

A minimal config::

    base_url: https://ebs.example.com:4443
    username: DMSHUB_ISG
    password: {$env: EBS_ISG_PASSWORD}
    org_id: 204                 # operating unit of created orders (and the SOAHeader Org_Id)
    order_type_id: 1437         # OE transaction type of created orders
    item_organization_id: 204   # the item master organization read by the items stream
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = ["OracleEbsConfig"]


class OracleEbsConfig(BaseModel):
    """Where Integrated SOA Gateway runs, the WS-Security user, and the EBS context of orders."""

    model_config = ConfigDict(title="Oracle E-Business Suite (SOAP, Integrated SOA Gateway)", extra="forbid")

    base_url: str = Field(
        pattern=r"^https?://[^\s/]+(:\d+)?/?$",
        description="EBS web root; services live under /webservices/SOAProvider/plsql/<package>/.",
    )
    username: str = Field(min_length=1, description="EBS user for the WS-Security UsernameToken.")
    password: SecretStr = Field(description="That user's password (sent as PasswordText: use HTTPS).")
    responsibility: str | None = Field(default=None, description="SOAHeader Responsibility, if required.")
    resp_application: str | None = Field(default=None, description="SOAHeader RespApplication (e.g. ONT).")
    security_group: str | None = Field(default=None, description="SOAHeader SecurityGroup (e.g. STANDARD).")
    nls_language: str | None = Field(default=None, description="SOAHeader NLSLanguage (e.g. AMERICAN).")
    org_id: int | None = Field(default=None, ge=0, description="Operating unit: SOAHeader Org_Id and ORG_ID.")
    order_type_id: int | None = Field(default=None, ge=1, description="ORDER_TYPE_ID of created orders.")
    order_source_id: int | None = Field(default=None, ge=0, description="ORDER_SOURCE_ID of created orders.")
    price_list_id: int | None = Field(default=None, ge=1, description="PRICE_LIST_ID of created orders.")
    item_organization_id: int = Field(default=204, ge=0, description="Organization whose items are read.")
    server_timezone: str = Field(
        default="Asia/Shanghai", description="Time zone of EBS dates that come without an offset."
    )
    page_size: int = Field(default=200, ge=1, le=5000, description="Rows per read call (P_LIMIT).")
    start_date: datetime | None = Field(
        default=None, description="First read only: rows last updated at or after this instant."
    )
    uom_codes: dict[str, str] = Field(
        default_factory=dict,
        description="Canonical unit → EBS UOM code for created lines (e.g. {EA: Ea}); others sent as is.",
    )
    max_retries: int = Field(default=3, ge=0, le=10, description="Retries of a failed read.")
    timeout_seconds: float = Field(default=120.0, gt=0, le=900, description="Read timeout per call.")

    @field_validator("server_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("start_date")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("start_date needs a UTC offset (e.g. 2024-05-01T00:00:00+08:00)")
        return value

    def endpoint(self, package: str) -> str:
        """The ISG endpoint of a PL/SQL package: ``{base_url}/webservices/SOAProvider/plsql/{package}/``."""
        return f"{self.base_url.rstrip('/')}/webservices/SOAProvider/plsql/{package.lower()}/"
