"""The sandbox's data dictionary: the SAP tables it holds, with real field names and lengths.

Lengths are DDIC ``LENG`` (what RFC_READ_TABLE reserves per field in its CHAR512 rows);
types are ABAP internal types: C (char), N (numeric text), D (date), T (time), P (packed).
Material numbers are 40 characters as on S/4HANA. ``KNA1-ZZADCODE`` is a customer append
(an administrative division code, as Chinese implementations often add); everything else
is standard.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TABLES", "FieldDef", "TableDef"]


@dataclass(frozen=True)
class FieldDef:
    """One column: name, ABAP type, DDIC length, decimals, short text."""

    name: str
    type: str
    length: int
    decimals: int = 0
    text: str = ""


@dataclass(frozen=True)
class TableDef:
    """A transparent table: its columns (in DDIC order) and primary key."""

    name: str
    fields: tuple[FieldDef, ...]
    key: tuple[str, ...]

    def field(self, name: str) -> FieldDef | None:
        """The column called ``name``, if any."""
        return next((f for f in self.fields if f.name == name), None)


def _c(name: str, length: int, text: str = "") -> FieldDef:
    return FieldDef(name, "C", length, 0, text)


def _n(name: str, length: int, text: str = "") -> FieldDef:
    return FieldDef(name, "N", length, 0, text)


def _d(name: str, text: str = "") -> FieldDef:
    return FieldDef(name, "D", 8, 0, text)


def _t(name: str, text: str = "") -> FieldDef:
    return FieldDef(name, "T", 6, 0, text)


def _p(name: str, length: int, decimals: int, text: str = "") -> FieldDef:
    return FieldDef(name, "P", length, decimals, text)


def _qty(*names: str) -> tuple[FieldDef, ...]:
    return tuple(_p(name, 13, 3) for name in names)


_MANDT = _c("MANDT", 3, "Client")

_KNA1 = (
    _MANDT,
    _c("KUNNR", 10, "Customer Number"),
    _c("LAND1", 3, "Country Key"),
    _c("NAME1", 35, "Name 1"),
    _c("NAME2", 35, "Name 2"),
    _c("ORT01", 35, "City"),
    _c("PSTLZ", 10, "Postal Code"),
    _c("REGIO", 3, "Region"),
    _c("SORTL", 10, "Sort field"),
    _c("STRAS", 35, "Street and House Number"),
    _c("TELF1", 16, "Telephone 1"),
    _c("TELFX", 31, "Fax Number"),
    _c("XCPDK", 1, "One-time account"),
    _c("ADRNR", 10, "Address"),
    _c("MCOD1", 25, "Search term for matchcode"),
    _c("MCOD3", 25, "Search term for matchcode"),
    _c("ANRED", 15, "Title"),
    _c("AUFSD", 2, "Central order block"),
    _c("BAHNE", 25, "Express train station"),
    _c("BEGRU", 4, "Authorization Group"),
    _c("BRSCH", 4, "Industry key"),
    _d("ERDAT", "Created on"),
    _c("ERNAM", 12, "Created by"),
    _c("FAKSD", 2, "Central billing block"),
    _c("KONZS", 10, "Group key"),
    _c("KTOKD", 4, "Customer Account Group"),
    _c("KUKLA", 2, "Customer classification"),
    _c("LIFNR", 10, "Vendor"),
    _c("LIFSD", 2, "Central delivery block"),
    _c("LOEVM", 1, "Central deletion flag"),
    _c("NAME3", 35, "Name 3"),
    _c("NAME4", 35, "Name 4"),
    _c("ORT02", 35, "District"),
    _c("PFACH", 10, "PO Box"),
    _c("PSTL2", 10, "P.O. Box Postal Code"),
    _c("COUNC", 3, "County code"),
    _c("CITYC", 4, "City code"),
    _c("SPERR", 1, "Central posting block"),
    _c("SPRAS", 1, "Language Key"),
    _c("STCD1", 16, "Tax Number 1"),
    _c("STCD2", 11, "Tax Number 2"),
    _c("TELF2", 16, "Telephone 2"),
    _c("TELTX", 30, "Teletex number"),
    _c("TELX1", 30, "Telex number"),
    _c("STCEG", 20, "VAT Registration No."),
    _c("KATR1", 2, "Attribute 1"),
    _c("KATR2", 2, "Attribute 2"),
    _c("STCD3", 18, "Tax Number 3"),
    _c("STCD4", 18, "Tax Number 4"),
    _c("STCD5", 60, "Tax Number 5"),
    _c("ZZADCODE", 6, "Administrative division (GB/T 2260)"),
)

_KNVH = (
    _MANDT,
    _c("HITYP", 1, "Customer hierarchy type"),
    _c("KUNNR", 10, "Customer"),
    _c("VKORG", 4, "Sales Organization"),
    _c("VTWEG", 2, "Distribution Channel"),
    _c("SPART", 2, "Division"),
    _d("DATAB", "Valid From"),
    _d("DATBI", "Valid To"),
    _c("HKUNNR", 10, "Higher-level customer"),
    _c("HVKORG", 4, "Higher-level sales org."),
    _c("HVTWEG", 2, "Higher-level distr. channel"),
    _c("HSPART", 2, "Higher-level division"),
    _n("GRPNO", 3, "Routine number"),
)

_MARA = (
    _MANDT,
    _c("MATNR", 40, "Material"),
    _d("ERSDA", "Created On"),
    _c("ERNAM", 12, "Created by"),
    _d("LAEDA", "Last Change"),
    _c("AENAM", 12, "Changed by"),
    _c("LVORM", 1, "DF at client level"),
    _c("MTART", 4, "Material type"),
    _c("MBRSH", 1, "Industry sector"),
    _c("MATKL", 9, "Material Group"),
    _c("BISMT", 40, "Old material number"),
    _c("MEINS", 3, "Base Unit of Measure"),
    _c("BSTME", 3, "Order unit"),
    *_qty("BRGEW", "NTGEW"),
    _c("GEWEI", 3, "Weight unit"),
    _c("EAN11", 18, "EAN/UPC"),
    _c("NUMTP", 2, "EAN category"),
    _c("PRDHA", 18, "Product hierarchy"),
    _c("MSTAE", 2, "X-plant matl status"),
    _c("MSTAV", 2, "X-distr.chain status"),
    _c("SPART", 2, "Division"),
    _p("MHDRZ", 4, 0, "Min. rem. shelf life"),
    _p("MHDHB", 4, 0, "Total shelf life"),
    _c("BRAND_ID", 4, "Brand"),
)

_MAKT = (_MANDT, _c("MATNR", 40), _c("SPRAS", 1), _c("MAKTX", 40, "Material description"), _c("MAKTG", 40))

_MARM = (
    _MANDT,
    _c("MATNR", 40),
    _c("MEINH", 3, "Alternative Unit of Measure"),
    _p("UMREZ", 5, 0, "Numerator"),
    _p("UMREN", 5, 0, "Denominator"),
    _c("EAN11", 18, "EAN/UPC"),
    _c("NUMTP", 2, "EAN category"),
)

_T023T = (_MANDT, _c("SPRAS", 1), _c("MATKL", 9), _c("WGBEZ", 20), _c("WGBEZ60", 60))

_MARD = (
    _MANDT,
    _c("MATNR", 40),
    _c("WERKS", 4, "Plant"),
    _c("LGORT", 4, "Storage location"),
    _c("PSTAT", 15, "Maintenance status"),
    _c("LVORM", 1, "DF stor. loc. level"),
    _n("LFGJA", 4, "Fiscal Year of Current Period"),
    _n("LFMON", 2, "Current period"),
    _c("SPERR", 1, "Physical inventory blocking"),
    *_qty("LABST", "UMLME", "INSME", "EINME", "SPEME", "RETME"),
    _c("LGPBE", 10, "Storage bin"),
    _d("ERSDA", "Created On"),
)

_VBAK = (
    _MANDT,
    _c("VBELN", 10, "Sales Document"),
    _d("ERDAT", "Created On"),
    _t("ERZET", "Time"),
    _c("ERNAM", 12, "Created by"),
    _d("AUDAT", "Document Date"),
    _c("VBTYP", 1, "SD document categ."),
    _c("AUART", 4, "Sales Document Type"),
    _p("NETWR", 15, 2, "Net Value"),
    _c("WAERK", 5, "Document Currency"),
    _c("VKORG", 4, "Sales Organization"),
    _c("VTWEG", 2, "Distribution Channel"),
    _c("SPART", 2, "Division"),
    _d("VDATU", "Requested deliv.date"),
    _c("BSTNK", 35, "Customer Reference"),
    _d("BSTDK", "Customer Reference Date"),
    _c("KUNNR", 10, "Sold-To Party"),
    _d("AEDAT", "Changed On"),
    _c("GBSTK", 1, "Overall status"),
)

_VBAP = (
    _MANDT,
    _c("VBELN", 10),
    _n("POSNR", 6, "Item"),
    _c("MATNR", 40),
    _c("ARKTX", 40, "Description"),
    _c("PSTYV", 4, "Item category"),
    _p("KWMENG", 15, 3, "Order Quantity"),
    _c("VRKME", 3, "Sales unit"),
    _p("NETPR", 11, 2, "Net price"),
    _p("NETWR", 15, 2, "Net value"),
    _c("WAERK", 5),
    _c("WERKS", 4, "Plant"),
    _c("LGORT", 4, "Storage location"),
    _d("ERDAT"),
    _c("ABGRU", 2, "Reason for rejection"),
)

_VBPA = (_MANDT, _c("VBELN", 10), _n("POSNR", 6), _c("PARVW", 2, "Partner Function"), _c("KUNNR", 10))

TABLES: dict[str, TableDef] = {
    t.name: t
    for t in (
        TableDef("KNA1", _KNA1, ("MANDT", "KUNNR")),
        TableDef("KNVH", _KNVH, ("MANDT", "HITYP", "KUNNR", "VKORG", "VTWEG", "SPART", "DATAB")),
        TableDef("MARA", _MARA, ("MANDT", "MATNR")),
        TableDef("MAKT", _MAKT, ("MANDT", "MATNR", "SPRAS")),
        TableDef("MARM", _MARM, ("MANDT", "MATNR", "MEINH")),
        TableDef("T023T", _T023T, ("MANDT", "SPRAS", "MATKL")),
        TableDef("MARD", _MARD, ("MANDT", "MATNR", "WERKS", "LGORT")),
        TableDef("VBAK", _VBAK, ("MANDT", "VBELN")),
        TableDef("VBAP", _VBAP, ("MANDT", "VBELN", "POSNR")),
        TableDef("VBPA", _VBPA, ("MANDT", "VBELN", "POSNR", "PARVW")),
    )
}
