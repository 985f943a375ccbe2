"""The WSDLs shipped with oracle-ebs: self-contained, loadable under the hardened settings."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from lxml import etree  # type: ignore[import-untyped]

from connectors.http import HttpClientConfig
from connectors.oracle_ebs.client import ORDER_PACKAGE, QUERY_PACKAGE, WSDL_DIR, wsdl_path
from connectors.oracle_ebs.sandbox import SANDBOX_URL, EbsSandbox
from connectors.soap import build_soap_client

OPERATIONS = {ORDER_PACKAGE: {"PROCESS_ORDER"}, QUERY_PACKAGE: {"GET_CUSTOMERS", "GET_ITEMS", "FIND_ORDER"}}


def test_every_shipped_wsdl_is_listed_and_packaged() -> None:
    assert sorted(p.name for p in WSDL_DIR.glob("*.wsdl")) == sorted(f"{p}.wsdl" for p in OPERATIONS)


@pytest.mark.parametrize("package", sorted(OPERATIONS))
def test_a_shipped_wsdl_has_no_dtd_and_no_import_of_any_kind(package: str) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(wsdl_path(package)), parser).getroot()
    assert root.getroottree().docinfo.doctype == ""
    names = {etree.QName(element).localname for element in root.iter() if isinstance(element.tag, str)}
    assert names.isdisjoint({"import", "include", "redefine"})
    assert not [e for e in root.iter() if isinstance(e.tag, str) and e.get("schemaLocation")]


@pytest.mark.parametrize("package", sorted(OPERATIONS))
def test_a_shipped_wsdl_loads_with_dtds_entities_and_external_references_forbidden(package: str) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"loading the WSDL fetched {request.url}")

    soap = build_soap_client(
        wsdl_path(package), HttpClientConfig(system="oracle-ebs"), transport=httpx.MockTransport(refuse)
    )
    [service] = soap.zeep.wsdl.services.values()
    [port] = service.ports.values()
    assert set(port.binding._operations) == OPERATIONS[package]


def test_the_sandbox_serves_the_wsdl_that_the_connector_ships(tmp_path: Path) -> None:
    sandbox = EbsSandbox.seeded()
    url = f"{SANDBOX_URL}/webservices/SOAProvider/plsql/oe_order_pub/?wsdl"
    soap = build_soap_client(url, HttpClientConfig(system="oracle-ebs"), transport=sandbox.transport())
    assert "PROCESS_ORDER" in {
        op for s in soap.zeep.wsdl.services.values() for p in s.ports.values() for op in p.binding._operations
    }
    assert [r.method for r in sandbox.requests] == ["GET"]
