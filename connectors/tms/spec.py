"""Config of the ``tms`` source."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr

from connectors.vendor_kit import BEIJING

__all__ = ["TmsConfig"]


class TmsConfig(BaseModel):
    """Where the TMS API is, how requests are signed, and from when to read."""

    model_config = ConfigDict(title="TMS (G7/易流-style)", extra="forbid")

    base_url: str = Field(pattern=r"^https?://", description="API root, e.g. https://openapi.huoyunren.com")
    gateway: Literal["e6", "g7"] = Field(
        "e6", description="Whose request signing: e6 (易流, signed query parameters) or g7 (signed headers)."
    )
    app_key: SecretStr = Field(description="appkey (易流) or AccessId (G7).")
    app_secret: SecretStr = Field(description="The secret that signs every request.")
    page_size: int = Field(100, ge=1, le=1000, description="Rows per page.")
    start_time: AwareDatetime = Field(
        datetime(2000, 1, 1, tzinfo=BEIJING), description="Earliest update read on a first sync."
    )
    request_timeout: float = Field(30.0, gt=0, le=600, description="Seconds to wait for a response.")
    max_retries: int = Field(4, ge=0, le=10, description="Retries of throttled or failed requests.")
    rate_limit_per_second: float | None = Field(None, gt=0, description="Cap on requests per second.")
