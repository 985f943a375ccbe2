"""Config of the ``sap-rfc`` source and sink (pyrfc logon keywords plus reading and order options)."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

__all__ = ["SANDBOX_PASSWORD", "SANDBOX_USER", "SalesOrderOptions", "SapRfcConfig"]

SANDBOX_USER = "DMSHUB"
SANDBOX_PASSWORD = "sandbox"  # noqa: S105 - the in-process sandbox's published demo logon, not a secret


class SalesOrderOptions(BaseModel):
    """How canonical orders become ``BAPI_SALESORDER_CREATEFROMDAT2`` calls (the sink)."""

    model_config = ConfigDict(extra="forbid")

    doc_type: str = Field(
        default="TA", max_length=4, description="Sales document type, internal code (TA = standard order)."
    )
    sales_org: str = Field(default="1000", max_length=4, description="Sales organization (VKORG).")
    distr_chan: str = Field(default="10", max_length=2, description="Distribution channel (VTWEG).")
    division: str = Field(default="00", max_length=2, description="Division (SPART).")
    plant: str | None = Field(
        default=None, max_length=4, description="Delivering plant for every item; empty: SAP determines it."
    )
    unit_map: dict[str, str] = Field(
        default_factory=lambda: {"EA": "ST", "CS": "KAR", "PK": "PAK"},
        description="Canonical unit → SAP internal unit of measure (ST = piece, KAR = carton).",
    )
    price_condition: str | None = Field(
        default=None,
        max_length=4,
        description="Condition type for our net price as a manual price (e.g. PR00); empty: SAP prices.",
    )
    material_length: int = Field(
        default=18, ge=18, le=40, description="MATNR length for ALPHA padding of numeric materials."
    )
    reference_max_length: int = Field(
        default=35,
        ge=10,
        le=35,
        description="Longest order reference VBAK-BSTNK holds (35 on S/4HANA, 20 on ECC).",
    )
    retries: int = Field(default=3, ge=0, le=10, description="Retries of a transient failure.")


class SapRfcConfig(BaseModel):
    """Logon to an SAP ABAP system over RFC, with direct (``ashost``) or load-balanced
    (``mshost``/``group``) logon, and what to read."""

    model_config = ConfigDict(title="SAP (RFC/BAPI)", extra="forbid")

    ashost: str | None = Field(default=None, description="Application server host (direct logon).")
    sysnr: str = Field(default="00", pattern=r"^\d{2}$", description="System number.")
    mshost: str | None = Field(default=None, description="Message server host (load-balanced logon).")
    msserv: str | None = Field(default=None, description="Message server service or port.")
    sysid: str | None = Field(default=None, max_length=3, description="System ID (load-balanced logon).")
    group: str | None = Field(default=None, description="Logon group (load-balanced logon).")
    saprouter: str | None = Field(default=None, description="SAProuter string, if any.")
    client: str = Field(pattern=r"^\d{3}$", description="SAP client (MANDT).")
    user: str = Field(min_length=1, max_length=12, description="RFC user.")
    passwd: SecretStr = Field(description="Password of the RFC user.")
    lang: str = Field(default="ZH", min_length=1, max_length=2, description="Logon and text language.")
    sandbox: bool = Field(
        default=False,
        description=(
            "Talk to the in-process SAP sandbox instead of a real system (demo data; "
            f"user {SANDBOX_USER!r}, password {SANDBOX_PASSWORD!r}). Never a real SAP system."
        ),
    )
    page_size: int = Field(default=5000, ge=1, le=100_000, description="Rows per RFC_READ_TABLE call.")
    max_row_width: int = Field(
        default=512, ge=64, le=512, description="Widest row RFC_READ_TABLE may return (DATA is CHAR512)."
    )
    delimiter: str = Field(default="|", min_length=1, max_length=1, description="RFC_READ_TABLE delimiter.")
    customer_hierarchy_type: str | None = Field(
        default="A", max_length=1, description="KNVH hierarchy type for dealer parents; empty: none."
    )
    customer_append_fields: list[str] = Field(
        default_factory=list,
        description="Extra KNA1 columns to read (customer appends, e.g. ZZADCODE for the GB/T 2260 code).",
    )
    case_unit: str = Field(default="KAR", max_length=3, description="Alternative unit read as the case pack.")
    plants: list[str] = Field(default_factory=list, description="Plants to read stock of; empty: all.")
    availability: bool = Field(
        default=False, description="Also read ATP per plant and material (BAPI_MATERIAL_AVAILABILITY)."
    )
    orders: SalesOrderOptions = Field(default_factory=SalesOrderOptions)

    @model_validator(mode="after")
    def _one_logon_kind(self) -> Self:
        if self.sandbox:
            return self
        if bool(self.ashost) == bool(self.mshost):
            raise ValueError("give either ashost (direct logon) or mshost with group (load balancing)")
        if self.mshost and not (self.group and (self.sysid or self.msserv)):
            raise ValueError("load-balanced logon needs group and sysid or msserv")
        return self

    def logon(self) -> dict[str, str]:
        """pyrfc ``Connection`` keywords for this config (includes the password)."""
        params = {
            "client": self.client,
            "user": self.user,
            "passwd": self.passwd.get_secret_value(),
            "lang": self.lang.upper(),
        }
        optional = {
            "ashost": self.ashost,
            "sysnr": self.sysnr if self.ashost else None,
            "mshost": self.mshost,
            "msserv": self.msserv,
            "sysid": self.sysid,
            "group": self.group,
            "saprouter": self.saprouter,
        }
        params.update({key: value for key, value in optional.items() if value})
        return params

    def secrets(self) -> tuple[str, ...]:
        """Values to mask in every message."""
        return (self.passwd.get_secret_value(),)
