"""Config of the ``wms-flux`` source and order sink."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr

from connectors.vendor_kit import BEIJING

__all__ = ["FluxConfig"]


class FluxConfig(BaseModel):
    """Where the FLUX API is, the app credentials, the owner (货主) and its warehouses."""

    model_config = ConfigDict(title="富勒 FLUX WMS", extra="forbid")

    base_url: str = Field(
        pattern=r"^https?://",
        description="The FluxWmsJsonApi endpoint, e.g. http://wms.example.com:19192/datahub/FluxWmsJsonApi/",
    )
    app_key: SecretStr = Field(description="appkey issued by the WMS.")
    app_token: SecretStr = Field(description="apptoken issued by the WMS.")
    app_secret: SecretStr = Field(description="appSecret that signs every call.")
    client_customerid: str = Field(
        min_length=1, max_length=64, description="client_customerid (the integration)."
    )
    client_db: str = Field(
        "FLUXWMSJSON", min_length=1, max_length=64, description="client_db, e.g. FLUXWMSJSON."
    )
    customer_id: str = Field(min_length=1, max_length=64, description="The owner (货主) CustomerID.")
    warehouse_ids: list[str] = Field(min_length=1, max_length=500, description="WarehouseIDs to read.")
    inventory_method: Literal["queryINVData", "inventoryReport"] = Field(
        "queryINVData", description="Inventory source: live query or the stock-count report."
    )
    digest_encoding: Literal["hex", "raw"] = Field(
        "hex", description="base64 over the MD5 hex text (public clients) or over the raw 16-byte digest."
    )
    page_size: int = Field(100, ge=1, le=1000, description="Rows per page (PageSize).")
    start_time: AwareDatetime = Field(
        datetime(2000, 1, 1, tzinfo=BEIJING), description="Earliest ship time read on a first sync."
    )
    request_timeout: float = Field(60.0, gt=0, le=600, description="Seconds to wait for a response.")
    max_retries: int = Field(4, ge=0, le=10, description="Retries of throttled or failed requests.")
    rate_limit_per_second: float | None = Field(None, gt=0, description="Cap on requests per second.")
