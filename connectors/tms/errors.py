"""TMS gateway errors → typed errors, as data.

G7's gateway reports errors as strings in ``msg`` (interfaces.md §3.3), so the table is keyed
by message; the HTTP status of 401/403 answers is read from the body rather than turned into a
bare authentication error.

::

    VendorError (connectors.vendor_kit)
    ├── TmsSignatureError        AuthenticationError   auth failed:signature error
    ├── TmsTimestampRejected     AuthenticationError   wrong timestamp (check the clock)
    ├── TmsPermissionDenied      AuthenticationError   no permission, api can't access
    ├── TmsUnavailable           Retriable             code != 0 with a 5xx code in a 200 answer
    └── TmsRejected              RemoteRejected        anything else with ``code != 0``
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from connectors.error_mapping import DEFAULT_ERROR_MAPPING, ErrorMapping, ResponseAction, merge_error_mapping
from connectors.errors import AuthenticationError, RemoteRejected, RetriableConnectorError
from connectors.vendor_kit import VendorCode, VendorError

__all__ = [
    "ERROR_MAPPING",
    "GATEWAY_ERRORS",
    "SYSTEM",
    "TmsPermissionDenied",
    "TmsRejected",
    "TmsSignatureError",
    "TmsTimestampRejected",
    "TmsUnavailable",
]

SYSTEM = "tms"


class TmsSignatureError(VendorError, AuthenticationError):
    """The gateway could not verify the signature (wrong key or secret)."""


class TmsTimestampRejected(VendorError, AuthenticationError):
    """The request's timestamp is outside the gateway's window: this host's clock is off."""


class TmsPermissionDenied(VendorError, AuthenticationError):
    """The key may not call this API."""


class TmsUnavailable(VendorError, RetriableConnectorError):
    """The gateway reported a server-side failure."""


class TmsRejected(VendorError, RemoteRejected):
    """The API refused the request."""


GATEWAY_ERRORS: Mapping[str, VendorCode] = MappingProxyType(
    {
        "auth failed:signature error": VendorCode(TmsSignatureError, "signature rejected"),
        "wrong timestamp": VendorCode(TmsTimestampRejected, "timestamp outside the allowed window"),
        "no permission, api can't access": VendorCode(TmsPermissionDenied, "no permission for this API"),
    }
)

ERROR_MAPPING: ErrorMapping = merge_error_mapping(
    DEFAULT_ERROR_MAPPING, {401: ResponseAction.IGNORE, 403: ResponseAction.IGNORE}
)
"""401/403 bodies say which authentication step failed: hand them to the client to read."""
