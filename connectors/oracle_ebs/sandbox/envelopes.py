"""SOAP envelopes for the sandbox: a hardened request parser and the replies it writes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import httpx
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

__all__ = ["SOAP_ENV", "WSSE", "fault", "parse_envelope", "record", "reply", "status_fields", "xml_response"]

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


def status_fields(status: str, messages: Iterable[str]) -> dict[str, Any]:
    messages = list(messages)
    return {
        "X_RETURN_STATUS": status,
        "X_MSG_COUNT": len(messages),
        "X_MSG_DATA": "\n".join(messages) or None,
    }


_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def parse_envelope(content: bytes) -> Any:
    try:
        root = etree.fromstring(content, parser=etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"The request is not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise ValueError("DOCTYPE is not allowed in SOAP messages.")
    if etree.QName(root).namespace != SOAP_ENV or etree.QName(root).localname != "Envelope":
        raise ValueError("The request is not a SOAP 1.1 envelope.")
    return root


def record(element: Any) -> dict[str, Any]:
    """Children as a dict: text for leaves, dicts for records, lists for repeated names."""
    out: dict[str, Any] = {}
    for child in element:
        name = etree.QName(child).localname
        value = record(child) if len(child) else child.text
        if name in out:
            out[name] = (out[name] if isinstance(out[name], list) else [out[name]]) + [value]
        elif name.endswith("_ITEM") and len(child):  # a PL/SQL table row (not ORDERED_ITEM)
            out[name] = [value]
        else:
            out[name] = value
    return out


def reply(ns: str, output: Mapping[str, Any]) -> httpx.Response:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"env": SOAP_ENV})
    etree.SubElement(envelope, f"{{{SOAP_ENV}}}Header")
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    _fill(etree.SubElement(body, f"{{{ns}}}OutputParameters", nsmap={None: ns}), output, ns)
    return xml_response(200, envelope)


def _fill(parent: Any, values: Mapping[str, Any], ns: str) -> None:
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            child = etree.SubElement(parent, f"{{{ns}}}{name}")
            if isinstance(item, Mapping):
                _fill(child, item, ns)
            else:
                child.text = item.isoformat() if isinstance(item, datetime) else str(item)


def fault(code: str, message: str) -> httpx.Response:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"env": SOAP_ENV, "wsse": WSSE})
    fault = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body"), f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = code.replace("soapenv:", "env:")
    etree.SubElement(fault, "faultstring").text = message
    return xml_response(500, envelope)


def xml_response(status: int, root: Any) -> httpx.Response:
    content = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return httpx.Response(status, content=content, headers={"Content-Type": "text/xml; charset=UTF-8"})
