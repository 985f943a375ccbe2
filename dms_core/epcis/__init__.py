"""EPCIS 2.0 in and out: documents for a code, an order, a dealer or a time range, validated
against GS1's JSON schema (shipped with the package); partner documents imported into the
trace store.
"""

from __future__ import annotations

from dms_core.epcis.documents import epcis_document, export_document
from dms_core.epcis.importing import Imported, import_document, read_document
from dms_core.epcis.schema import epcis_schema, validate_document

__all__ = [
    "Imported",
    "epcis_document",
    "epcis_schema",
    "export_document",
    "import_document",
    "read_document",
    "validate_document",
]
