"""Each library's real exceptions become the hub's typed errors (and keep their cause)."""

from __future__ import annotations

import errno
import sys
import types
from collections.abc import Iterator
from typing import Any

import httpx
import paramiko
import pytest
import zeep.exceptions
from zeep.loader import parse_xml
from zeep.settings import Settings

from connectors.errors import (
    AmbiguousOutcome,
    AuthenticationError,
    ConnectorError,
    FatalConnectorError,
    RemoteRejected,
    RetriableConnectorError,
)
from connectors.translate import httpx_errors, paramiko_errors, pyrfc_errors, zeep_errors

CANARY = "canary-0b9e77c4f1"


def raised_by(context: Any, exc: BaseException) -> ConnectorError:
    """The hub error ``context`` turns ``exc`` into (asserting it chains the original)."""
    with pytest.raises(ConnectorError) as caught, context:
        raise exc
    assert caught.value.__cause__ is exc
    return caught.value


# -- httpx -------------------------------------------------------------------------------------------


def test_httpx_status_errors_are_translated_by_the_error_mapping() -> None:
    request = httpx.Request("GET", f"https://erp.example/odata/A_SalesOrder?sap-password={CANARY}")
    for status, expected in [
        (404, RemoteRejected),
        (401, AuthenticationError),
        (503, RetriableConnectorError),
    ]:
        response = httpx.Response(status, request=request, json={"error": {"message": {"value": "nope"}}})
        with pytest.raises(httpx.HTTPStatusError) as status_error:
            response.raise_for_status()
        error = raised_by(httpx_errors("s4"), status_error.value)
        assert type(error) is expected
        assert error.status_code == status
        assert CANARY not in str(error)


def test_httpx_timeouts_of_writes_are_ambiguous_but_connect_failures_are_not() -> None:
    request = httpx.Request("POST", "https://erp.example/orders")
    assert isinstance(
        raised_by(httpx_errors("erp", idempotent=False), httpx.ReadTimeout("slow", request=request)),
        AmbiguousOutcome,
    )
    refused = raised_by(httpx_errors("erp", idempotent=False), httpx.ConnectError("refused", request=request))
    assert type(refused) is RetriableConnectorError
    assert (
        type(raised_by(httpx_errors("erp"), httpx.ReadTimeout("slow", request=request)))
        is RetriableConnectorError
    )


def test_httpx_errors_of_our_own_making_are_fatal() -> None:
    request = httpx.Request("GET", "https://erp.example/")
    assert type(raised_by(httpx_errors("erp"), httpx.UnsupportedProtocol("ftp?", request=request))) is (
        FatalConnectorError
    )
    assert type(raised_by(httpx_errors("erp"), httpx.TooManyRedirects("loop", request=request))) is (
        FatalConnectorError
    )


def test_translators_let_hub_errors_through_unchanged() -> None:
    original = RemoteRejected("erp: no", system="erp")
    with (
        pytest.raises(RemoteRejected) as caught,
        httpx_errors("erp"),
        zeep_errors("erp"),
        pyrfc_errors("erp"),
    ):
        raise original
    assert caught.value is original


# -- zeep --------------------------------------------------------------------------------------------


def test_a_soap_fault_is_a_remote_rejection_carrying_its_faultstring() -> None:
    fault = zeep.exceptions.Fault("Customer 4711 does not exist", code="soap:Client")
    error = raised_by(zeep_errors("ebs"), fault)
    assert isinstance(error, RemoteRejected)
    assert error.remote_messages == ("Customer 4711 does not exist",)
    assert "Customer 4711 does not exist" in str(error)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(503, RetriableConnectorError), (401, AuthenticationError), (400, RemoteRejected)],
)
def test_zeep_transport_errors_are_translated_by_status(status: int, expected: type[ConnectorError]) -> None:
    error = raised_by(zeep_errors("ebs"), zeep.exceptions.TransportError("Server Error", status_code=status))
    assert type(error) is expected
    assert error.status_code == status


def test_unsafe_or_malformed_xml_from_the_remote_is_fatal() -> None:
    entity_bomb = b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'
    for settings in (Settings(forbid_dtd=True), Settings(forbid_entities=True)):
        with pytest.raises(FatalConnectorError) as caught, zeep_errors("ebs"):
            parse_xml(entity_bomb, transport=None, settings=settings)  # type: ignore[arg-type]
        assert "unsafe XML" in str(caught.value)
    with pytest.raises(FatalConnectorError), zeep_errors("ebs"):
        parse_xml(b"<x><unclosed></x>", transport=None)  # type: ignore[arg-type]


# -- paramiko ----------------------------------------------------------------------------------------


def test_refused_ssh_credentials_are_an_authentication_error() -> None:
    error = raised_by(
        paramiko_errors("wms", host="sftp.wms.example"), paramiko.AuthenticationException("denied")
    )
    assert isinstance(error, AuthenticationError)


def test_a_changed_host_key_is_fatal_and_says_so_with_both_fingerprints() -> None:
    got, expected = paramiko.ECDSAKey.generate(), paramiko.ECDSAKey.generate()
    error = raised_by(paramiko_errors("wms"), paramiko.BadHostKeyException("sftp.wms.example", got, expected))
    assert type(error) is FatalConnectorError
    assert "does not match known_hosts" in str(error)
    assert got.fingerprint in str(error)
    assert expected.fingerprint in str(error)


class _UnconnectedClient:
    """What RejectPolicy needs of an SSHClient (it only logs through it)."""

    def _log(self, level: int, message: str) -> None:
        pass


def test_an_unknown_host_rejected_by_policy_is_fatal_with_a_known_hosts_hint() -> None:
    key = paramiko.ECDSAKey.generate()
    with pytest.raises(FatalConnectorError) as caught, paramiko_errors("wms", host="sftp.wms.example"):
        paramiko.RejectPolicy().missing_host_key(_UnconnectedClient(), "sftp.wms.example", key)  # type: ignore[arg-type]
    assert "not in known_hosts" in str(caught.value)


@pytest.mark.parametrize(
    "exc",
    [
        TimeoutError("timed out"),
        EOFError(),
        ConnectionResetError(errno.ECONNRESET, "reset"),
        paramiko.ssh_exception.NoValidConnectionsError({("10.0.0.5", 22): ConnectionRefusedError()}),
        OSError(errno.EHOSTUNREACH, "No route to host"),
        paramiko.SSHException("Error reading SSH protocol banner"),
    ],
)
def test_network_failures_over_ssh_are_retriable(exc: BaseException) -> None:
    assert type(raised_by(paramiko_errors("wms"), exc)) is RetriableConnectorError


@pytest.mark.parametrize(
    "exc",
    [
        FileNotFoundError(errno.ENOENT, "No such file"),
        PermissionError(errno.EACCES, "Permission denied"),
        OSError("Failure"),  # SFTP_FAILURE, as paramiko raises it
    ],
)
def test_sftp_file_errors_are_fatal(exc: BaseException) -> None:
    assert type(raised_by(paramiko_errors("wms"), exc)) is FatalConnectorError


# -- pyrfc (a stand-in module: the real one needs SAP's NW RFC SDK) ------------------------------------


def _fake_pyrfc() -> types.ModuleType:
    """Classes named and shaped like pyrfc's (``pyrfc._exception``), in a module of that name."""
    module = types.ModuleType("pyrfc._exception")

    class RFCError(Exception):
        pass

    class RFCLibError(RFCError):
        def __init__(
            self, message: str | None = None, code: int | None = None, key: str | None = None
        ) -> None:
            super().__init__(message)
            self.message, self.code, self.key = message, code, key

        def __str__(self) -> str:
            return f"rc={self.code}: key={self.key}, message={self.message}"

    classes: dict[str, type] = {"RFCError": RFCError, "RFCLibError": RFCLibError}
    for name in (
        "ABAPApplicationError",
        "ABAPRuntimeError",
        "LogonError",
        "CommunicationError",
        "ExternalRuntimeError",
        "ExternalApplicationError",
        "ExternalAuthorizationError",
    ):
        classes[name] = type(name, (RFCLibError,), {})
    for name, cls in classes.items():
        cls.__module__ = "pyrfc._exception"
        setattr(module, name, cls)
    return module


@pytest.fixture
def pyrfc(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    module = _fake_pyrfc()
    package = types.ModuleType("pyrfc")
    package.__dict__.update({name: getattr(module, name) for name in dir(module) if not name.startswith("_")})
    monkeypatch.setitem(sys.modules, "pyrfc", package)
    monkeypatch.setitem(sys.modules, "pyrfc._exception", module)
    yield module


def test_sap_logon_errors_are_authentication_errors_without_the_password(pyrfc: types.ModuleType) -> None:
    exc = pyrfc.LogonError(f"Name or password is incorrect ({CANARY})", code=2, key="RFC_LOGON_FAILURE")
    error = raised_by(pyrfc_errors("sap", secrets=[CANARY]), exc)
    assert isinstance(error, AuthenticationError)
    assert CANARY not in str(error)
    assert "RFC_LOGON_FAILURE" in str(error)


def test_sap_communication_errors_are_retriable(pyrfc: types.ModuleType) -> None:
    exc = pyrfc.CommunicationError("partner not reached", code=1, key="RFC_COMMUNICATION_FAILURE")
    assert type(raised_by(pyrfc_errors("sap"), exc)) is RetriableConnectorError


def test_sap_application_errors_are_rejections_carrying_the_abap_message(pyrfc: types.ModuleType) -> None:
    exc = pyrfc.ABAPApplicationError("Sold-to party 4711 is blocked", code=5, key="CUSTOMER_BLOCKED")
    error = raised_by(pyrfc_errors("sap"), exc)
    assert isinstance(error, RemoteRejected)
    assert error.remote_messages == ("Sold-to party 4711 is blocked",)


@pytest.mark.parametrize("name", ["ABAPRuntimeError", "ExternalRuntimeError", "ExternalApplicationError"])
def test_sap_runtime_errors_are_fatal(pyrfc: types.ModuleType, name: str) -> None:
    exc = getattr(pyrfc, name)("short dump", code=3)
    assert type(raised_by(pyrfc_errors("sap"), exc)) is FatalConnectorError


def test_a_sap_timeout_is_retriable_whatever_its_error_group(pyrfc: types.ModuleType) -> None:
    exc = pyrfc.ExternalRuntimeError("timeout", code=8, key="RFC_TIMEOUT")
    assert type(raised_by(pyrfc_errors("sap"), exc)) is RetriableConnectorError


def test_classes_that_merely_share_a_pyrfc_name_are_not_translated(pyrfc: types.ModuleType) -> None:
    class LogonError(Exception):  # not from pyrfc
        pass

    with pytest.raises(LogonError), pyrfc_errors("sap"):
        raise LogonError("someone else's")
