"""Streams of the ``sap-rfc`` source: customers, material groups, materials, units, plant stock, ATP."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from connectors.contract import Page
from connectors.sap_rfc.abap import internal_language, quote
from connectors.sap_rfc.client import SapRfcClient
from connectors.sap_rfc.rfc import RfcSession
from connectors.sap_rfc.table_stream import SapTableStream, json_schema_for

__all__ = [
    "CustomersStream",
    "MaterialGroupsStream",
    "MaterialUnitsStream",
    "MaterialsStream",
    "PlantStockStream",
    "plants_clause",
]

_CUSTOMER_COLUMNS = {
    "KUNNR": "string",
    "NAME1": "string",
    "NAME2": "string",
    "LAND1": "string",
    "REGIO": "string",
    "ORT01": "string",
    "PSTLZ": "string",
    "STRAS": "string",
    "TELF1": "string",
    "KTOKD": "string",
    "KATR1": "string",
    "STCD5": "string",
    "AUFSD": "string",
    "SPERR": "string",
    "LOEVM": "string",
    "ERDAT": "date",
}


class CustomersStream(SapTableStream):
    """``customers``: KNA1, plus ``HKUNNR`` (the parent in the KNVH customer hierarchy, valid
    today, in the configured sales area) and any configured append fields."""

    name = "customers"
    table = "KNA1"
    primary_key: ClassVar[str | list[str]] = "KUNNR"
    fields = tuple(_CUSTOMER_COLUMNS)
    key_fields = ("KUNNR",)
    columns: ClassVar[Mapping[str, str]] = {**_CUSTOMER_COLUMNS, "HKUNNR": "string"}
    json_schema: ClassVar[Mapping[str, Any]] = json_schema_for(columns)

    def __init__(self, client: SapRfcClient, *, today: Callable[[], date] = date.today) -> None:
        super().__init__(client)
        self._today = today
        self._parents: dict[str, str] = {}

    def field_names(self) -> list[str]:
        """KNA1 fields plus ``customer_append_fields``."""
        extra = [f.upper() for f in self.client.config.customer_append_fields if f.upper() not in self.fields]
        return [*self.fields, *extra]

    def prepare(self, session: RfcSession) -> None:
        """Read the hierarchy nodes of the configured type and sales area."""
        config = self.client.config
        self._parents = {}
        if not config.customer_hierarchy_type:
            return
        area = config.orders
        today = self._today().strftime("%Y%m%d")
        where = (
            f"HITYP = {quote(config.customer_hierarchy_type)} AND VKORG = {quote(area.sales_org)} "
            f"AND VTWEG = {quote(area.distr_chan)} AND SPART = {quote(area.division)} "
            f"AND DATAB <= {quote(today)} AND DATBI >= {quote(today)}"
        )
        nodes = self.read_lookup(
            session,
            "KNVH",
            ["HITYP", "KUNNR", "VKORG", "VTWEG", "SPART", "DATAB", "HKUNNR"],
            key_fields=["HITYP", "KUNNR", "VKORG", "VTWEG", "SPART", "DATAB"],
            where=where,
        )
        self._parents = {node["KUNNR"]: node["HKUNNR"] for node in nodes if node["HKUNNR"]}

    def enrich(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add ``HKUNNR``."""
        return [{**row, "HKUNNR": self._parents.get(row["KUNNR"], "")} for row in rows]

    def fetch(self, *, since: Any, partition: str | None) -> Iterator[Page]:
        """All customers in one page, parents before their children.

        A dealer may only name a parent that is already stored or in its own batch (the
        sync engine loads the reference keys once per stream), so the tree travels whole;
        customer masters are thousands of rows, not millions. RFC_READ_TABLE still pages.
        """
        rows = [row for page, _ in self.typed_pages() for row in page]
        if not rows:
            return
        depth = _depths({row["KUNNR"]: row["HKUNNR"] for row in rows})
        rows.sort(key=lambda row: (depth[row["KUNNR"]], row["KUNNR"]))
        yield Page(self.frame(rows), f"KNA1 rows 1-{len(rows)} (parents first)")


def _depths(parents: Mapping[str, str]) -> dict[str, int]:
    """Distance from a root for each customer (a parent outside the set counts as a root;
    a cycle is cut where it closes)."""
    depths: dict[str, int] = {}
    for start in parents:
        chain: list[str] = []
        node = start
        while node in parents and node not in depths and node not in chain:
            chain.append(node)
            node = parents[node]
        base = depths.get(node, -1) if node in parents else -1
        for offset, member in enumerate(reversed(chain), start=1):
            depths[member] = base + offset
    return depths


class MaterialGroupsStream(SapTableStream):
    """``material_groups``: T023T texts in the logon language (MATKL, WGBEZ, WGBEZ60)."""

    name = "material_groups"
    table = "T023T"
    primary_key: ClassVar[str | list[str]] = "MATKL"
    fields = ("MATKL", "WGBEZ", "WGBEZ60")
    key_fields = ("MATKL",)
    columns: ClassVar[Mapping[str, str]] = dict.fromkeys(fields, "string")
    json_schema: ClassVar[Mapping[str, Any]] = json_schema_for(columns)

    def where(self) -> str:
        """Texts in the logon language."""
        return f"SPRAS = {quote(internal_language(self.client.config.lang))}"


_MATERIAL_COLUMNS = {
    "MATNR": "string",
    "MTART": "string",
    "MATKL": "string",
    "MEINS": "string",
    "EAN11": "string",
    "NUMTP": "string",
    "PRDHA": "string",
    "LVORM": "string",
    "MSTAV": "string",
    "SPART": "string",
    "MHDHB": "decimal",
    "BRGEW": "decimal",
    "NTGEW": "decimal",
    "GEWEI": "string",
    "ERSDA": "date",
    "LAEDA": "date",
}


class MaterialsStream(SapTableStream):
    """``materials``: MARA, plus ``MAKTX`` (MAKT, logon language) and ``CASE_UMREZ`` /
    ``CASE_UMREN`` (MARM conversion of the configured case unit, e.g. KAR)."""

    name = "materials"
    table = "MARA"
    primary_key: ClassVar[str | list[str]] = "MATNR"
    fields = tuple(_MATERIAL_COLUMNS)
    key_fields = ("MATNR",)
    columns: ClassVar[Mapping[str, str]] = {
        **_MATERIAL_COLUMNS,
        "MAKTX": "string",
        "CASE_UMREZ": "decimal",
        "CASE_UMREN": "decimal",
    }
    json_schema: ClassVar[Mapping[str, Any]] = json_schema_for(columns)

    def __init__(self, client: SapRfcClient) -> None:
        super().__init__(client)
        self._texts: dict[str, str] = {}
        self._cases: dict[str, tuple[Decimal | None, Decimal | None]] = {}

    def prepare(self, session: RfcSession) -> None:
        """Read descriptions and case conversions once."""
        config = self.client.config
        texts = self.read_lookup(
            session,
            "MAKT",
            ["MATNR", "MAKTX"],
            key_fields=["MATNR"],
            where=f"SPRAS = {quote(internal_language(config.lang))}",
        )
        self._texts = {row["MATNR"]: row["MAKTX"] for row in texts}
        cases = self.read_lookup(
            session,
            "MARM",
            ["MATNR", "UMREZ", "UMREN"],
            key_fields=["MATNR"],
            where=f"MEINH = {quote(config.case_unit)}",
        )
        self._cases = {row["MATNR"]: (row["UMREZ"], row["UMREN"]) for row in cases}

    def enrich(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add ``MAKTX``, ``CASE_UMREZ`` and ``CASE_UMREN``."""
        enriched = []
        for row in rows:
            numerator, denominator = self._cases.get(row["MATNR"], (None, None))
            enriched.append(
                {
                    **row,
                    "MAKTX": self._texts.get(row["MATNR"], ""),
                    "CASE_UMREZ": numerator,
                    "CASE_UMREN": denominator,
                }
            )
        return enriched


class MaterialUnitsStream(SapTableStream):
    """``material_units``: MARM, every unit of measure of every material with its conversion."""

    name = "material_units"
    table = "MARM"
    primary_key: ClassVar[str | list[str]] = ["MATNR", "MEINH"]
    fields = ("MATNR", "MEINH", "UMREZ", "UMREN", "EAN11")
    key_fields = ("MATNR", "MEINH")
    columns: ClassVar[Mapping[str, str]] = {
        "MATNR": "string",
        "MEINH": "string",
        "UMREZ": "decimal",
        "UMREN": "decimal",
        "EAN11": "string",
    }
    json_schema: ClassVar[Mapping[str, Any]] = json_schema_for(columns)


_STOCK_COLUMNS = {
    "MATNR": "string",
    "WERKS": "string",
    "LGORT": "string",
    "LABST": "decimal",
    "UMLME": "decimal",
    "INSME": "decimal",
    "EINME": "decimal",
    "SPEME": "decimal",
    "RETME": "decimal",
    "LVORM": "string",
}


def plants_clause(plants: Sequence[str]) -> str:
    """``WERKS IN ( '1000' , '1010' )`` for the configured plants ('' for all)."""
    return f"WERKS IN ( {' , '.join(quote(p) for p in plants)} )" if plants else ""


class PlantStockStream(SapTableStream):
    """``plant_stock``: MARD, stock per material, plant and storage location in the base unit
    (LABST unrestricted, UMLME in transfer, INSME in quality inspection, EINME restricted,
    SPEME blocked, RETME returns)."""

    name = "plant_stock"
    table = "MARD"
    primary_key: ClassVar[str | list[str]] = ["MATNR", "WERKS", "LGORT"]
    fields = tuple(_STOCK_COLUMNS)
    key_fields = ("MATNR", "WERKS", "LGORT")
    columns: ClassVar[Mapping[str, str]] = _STOCK_COLUMNS
    json_schema: ClassVar[Mapping[str, Any]] = json_schema_for(columns)

    def where(self) -> str:
        """The configured plants, if any."""
        return plants_clause(self.client.config.plants)
