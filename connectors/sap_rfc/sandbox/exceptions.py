"""Stand-ins for pyrfc's exception classes, raised by the SAP sandbox.

Named, shaped and printed like ``pyrfc._exception`` (``RFCLibError(message, code, key,
msg_class, msg_type, msg_number, msg_v1..msg_v4)``, one class per RFC return-code group),
and labelled with that module so :func:`connectors.translate.pyrfc_errors`, which recognises
pyrfc's classes by module and name without importing the SDK-bound package, treats what the
sandbox raises exactly as it would treat the real thing.
"""

from __future__ import annotations

__all__ = [
    "ABAPApplicationError",
    "ABAPRuntimeError",
    "CommunicationError",
    "ExternalApplicationError",
    "ExternalAuthorizationError",
    "ExternalRuntimeError",
    "LogonError",
    "RFCError",
    "RFCLibError",
]

PYRFC_MODULE = "pyrfc._exception"

# pyrfc's code2txt (the return codes of the NW RFC SDK).
_CODES = {
    0: "RFC_OK",
    1: "RFC_COMMUNICATION_FAILURE",
    2: "RFC_LOGON_FAILURE",
    3: "RFC_ABAP_RUNTIME_FAILURE",
    4: "RFC_ABAP_MESSAGE",
    5: "RFC_ABAP_EXCEPTION",
    6: "RFC_CLOSED",
    7: "RFC_CANCELED",
    8: "RFC_TIMEOUT",
    20: "RFC_INVALID_PARAMETER",
}


class RFCError(Exception):
    """Root of pyrfc's errors."""


class RFCLibError(RFCError):
    """An error reported by the RFC library, with SAP's message fields."""

    def __init__(
        self,
        message: str | None = None,
        code: int | None = None,
        key: str | None = None,
        msg_class: str | None = None,
        msg_type: str | None = None,
        msg_number: str | None = None,
        msg_v1: str | None = None,
        msg_v2: str | None = None,
        msg_v3: str | None = None,
        msg_v4: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.key = key
        self.msg_class = msg_class
        self.msg_type = msg_type
        self.msg_number = msg_number
        self.msg_v1, self.msg_v2, self.msg_v3, self.msg_v4 = msg_v1, msg_v2, msg_v3, msg_v4

    def __str__(self) -> str:
        variables = ";".join(v or "" for v in (self.msg_v1, self.msg_v2, self.msg_v3, self.msg_v4))
        return (
            f"{_CODES.get(self.code or 0, 'RFC_UNKNOWN_ERROR')} (rc={self.code}): key={self.key}, "
            f"message={self.message} [MSG: class={self.msg_class or ''}, type={self.msg_type or ''}, "
            f"number={self.msg_number or ''}, v1-4:={variables}]"
        )


class CommunicationError(RFCLibError):
    """rc 1: the connection broke (network, gateway, timeout)."""


class LogonError(RFCLibError):
    """rc 2: user, password or client refused."""


class ABAPRuntimeError(RFCLibError):
    """rc 3/4: a short dump or an ABAP message ended the call."""


class ABAPApplicationError(RFCLibError):
    """rc 5: the function module raised one of its classic exceptions (``key``)."""


class ExternalApplicationError(RFCLibError):
    """Server side: an application error raised by a Python RFC server."""


class ExternalAuthorizationError(RFCLibError):
    """Server side: missing authorization."""


class ExternalRuntimeError(RFCLibError):
    """Invalid parameters and other runtime errors of the RFC library."""


for _cls in (
    RFCError,
    RFCLibError,
    CommunicationError,
    LogonError,
    ABAPRuntimeError,
    ABAPApplicationError,
    ExternalApplicationError,
    ExternalAuthorizationError,
    ExternalRuntimeError,
):
    _cls.__module__ = PYRFC_MODULE
