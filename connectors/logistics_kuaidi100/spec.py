"""Config of the ``logistics-kuaidi100`` source."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from connectors.tracking import TrackedWaybill

__all__ = ["DEFAULT_BASE_URL", "Kuaidi100Config"]

DEFAULT_BASE_URL = "https://poll.kuaidi100.com"


class Kuaidi100Config(BaseModel):
    """快递100 credentials and the waybills to track."""

    model_config = ConfigDict(title="快递100 tracking", extra="forbid")

    customer: str = Field(min_length=1, max_length=64, description="快递100 customer id (实时查询 customer).")
    key: SecretStr = Field(description="快递100 authorization key (授权 key).")
    salt: SecretStr | None = Field(
        None, description="Salt 快递100 signs pushes with (sent with each subscription)."
    )
    callback_url: str | None = Field(
        None, pattern=r"^https?://", description="Where 快递100 pushes tracking updates to."
    )
    base_url: str = Field(DEFAULT_BASE_URL, pattern=r"^https?://", description="API root.")
    waybills: list[TrackedWaybill] = Field(
        min_length=1, max_length=20_000, description="Waybills to track (company and number each)."
    )
    resultv2: Literal["1", "4", "8"] = Field("4", description="Detail level; 4 returns per-event sub-states.")
    request_timeout: float = Field(30.0, gt=0, le=600, description="Seconds to wait for a response.")
    max_retries: int = Field(4, ge=0, le=10, description="Retries of throttled or failed requests.")
    rate_limit_per_second: float | None = Field(
        None, gt=0, description="Cap on requests per second (快递100 limits concurrent queries)."
    )

    @model_validator(mode="after")
    def _companies(self) -> Kuaidi100Config:
        missing = [w.number for w in self.waybills if not w.company]
        if missing:
            raise ValueError(f"waybills need a 快递100 company code: {', '.join(missing[:5])}")
        keys = [w.key for w in self.waybills]
        if len(set(keys)) != len(keys):
            raise ValueError("two waybills map to the same shipment_no")
        return self
