"""Config of the ``sap-odata`` source and sink (S/4HANA ``API_SALES_ORDER_SRV``, OData V2)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr

__all__ = ["SANDBOX_PASSWORD", "SANDBOX_URL", "SANDBOX_USER", "ODataOrderOptions", "SapODataConfig"]

SANDBOX_URL = "https://s4-sandbox.dmshub.invalid"
SANDBOX_USER = "DMSHUB"
SANDBOX_PASSWORD = "sandbox"  # noqa: S105 - the in-process sandbox's published demo logon, not a secret


class ODataOrderOptions(BaseModel):
    """How canonical orders become ``A_SalesOrder`` deep inserts (the sink)."""

    model_config = ConfigDict(extra="forbid")

    sales_order_type: str = Field(default="OR", max_length=4, description="SalesOrderType (OR = standard).")
    sales_organization: str = Field(default="1710", max_length=4, description="SalesOrganization.")
    distribution_channel: str = Field(default="10", max_length=2, description="DistributionChannel.")
    organization_division: str = Field(default="00", max_length=2, description="OrganizationDivision.")
    unit_map: dict[str, str] = Field(
        default_factory=lambda: {"EA": "PC", "CS": "CS", "PK": "PAK"},
        description="Canonical unit → RequestedQuantityUnit (external/ISO codes on the OData API).",
    )
    ship_to_partner_function: str = Field(
        default="SH", max_length=2, description="PartnerFunction of the ship-to in to_Partner."
    )
    reference_max_length: int = Field(
        default=35, ge=10, le=35, description="Longest PurchaseOrderByCustomer the system keeps."
    )
    retries: int = Field(default=3, ge=0, le=10, description="Retries of a transient failure.")


class SapODataConfig(BaseModel):
    """An S/4HANA system's sales-order OData service, with a communication user (basic auth)."""

    model_config = ConfigDict(title="SAP S/4HANA (OData API_SALES_ORDER_SRV)", extra="forbid")

    base_url: str = Field(
        default=SANDBOX_URL,
        pattern=r"^https?://[^/?#]+$",
        description="Scheme and host, e.g. https://my.s4.example.",
    )
    service_path: str = Field(
        default="/sap/opu/odata/sap/API_SALES_ORDER_SRV",
        pattern=r"^/\S*[^/]$",
        description="Path of the service.",
    )
    sap_client: str | None = Field(
        default=None, pattern=r"^\d{3}$", description="sap-client, if not the default."
    )
    username: str = Field(min_length=1, description="Communication user.")
    password: SecretStr = Field(description="Password of the communication user.")
    sandbox: bool = Field(
        default=False,
        description="Talk to the in-process sandbox of the service (demo data) instead of a real system.",
    )
    page_size: int = Field(default=500, ge=1, le=5000, description="$top of each page.")
    start_datetime: AwareDatetime | None = Field(
        default=None, description="Oldest LastChangeDateTime read by the first incremental sync."
    )
    sales_organization: str | None = Field(
        default=None, max_length=4, description="Read only orders of this sales organization."
    )
    timeout_seconds: float = Field(default=60.0, gt=0, le=600, description="Read timeout per request.")
    orders: ODataOrderOptions = Field(default_factory=ODataOrderOptions)

    def service_url(self) -> str:
        """The service root, ``https://host/sap/opu/odata/sap/API_SALES_ORDER_SRV``."""
        return self.base_url.rstrip("/") + self.service_path

    def secrets(self) -> tuple[str, ...]:
        """Values to mask in every message."""
        return (self.password.get_secret_value(),)
