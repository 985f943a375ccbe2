"""Config of the ``logistics-sf`` source."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from connectors.tracking import TrackedWaybill

__all__ = ["PRODUCTION_URL", "SANDBOX_URL", "SfConfig"]

PRODUCTION_URL = "https://sfapi.sf-express.com/std/service"
SANDBOX_URL = "https://sfapi-sbox.sf-express.com/std/service"
"""顺丰's own test environment (not the hub's sandbox)."""


class SfConfig(BaseModel):
    """丰桥 credentials and the 顺丰 waybills to track."""

    model_config = ConfigDict(title="顺丰 route query", extra="forbid")

    partner_id: str = Field(min_length=1, max_length=64, description="丰桥 partnerID (顾客编码).")
    checkword: SecretStr = Field(description="丰桥 checkword (校验码) that signs msgDigest.")
    base_url: str = Field(PRODUCTION_URL, pattern=r"^https?://", description="The /std/service endpoint.")
    digest_variant: Literal["plain", "urlencoded"] = Field(
        "plain",
        description="plain: Base64(MD5(msgData+timestamp+checkword)); urlencoded: URL-encode it first.",
    )
    language: str = Field("zh-CN", description="Language of the route remarks.")
    waybills: list[TrackedWaybill] = Field(
        min_length=1, max_length=20_000, description="顺丰 waybills to track."
    )
    request_timeout: float = Field(30.0, gt=0, le=600, description="Seconds to wait for a response.")
    max_retries: int = Field(4, ge=0, le=10, description="Retries of throttled or failed requests.")
    rate_limit_per_second: float | None = Field(None, gt=0, description="Cap on requests per second.")

    @model_validator(mode="after")
    def _unique(self) -> SfConfig:
        keys = [w.key for w in self.waybills]
        if len(set(keys)) != len(keys):
            raise ValueError("two waybills map to the same shipment_no")
        return self
