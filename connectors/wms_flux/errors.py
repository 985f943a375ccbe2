"""FLUX return codes → typed errors, as data (interfaces.md §3.2, router system codes).

::

    VendorError (connectors.vendor_kit)
    ├── FluxSignatureError    AuthenticationError   S001 签名错误 (appkey/apptoken/sign)
    ├── FluxOwnerError        AuthenticationError   S004 货主 (owner) not known for this app
    ├── FluxSystemError       Retriable             S002 system error
    ├── FluxDataError         RemoteRejected        S003 data error
    ├── FluxRecordExists      RemoteRejected        S006 record exists, cannot be modified
    └── FluxRejected          RemoteRejected        0001 failure, S007 other, unknown codes

``returnFlag`` is 1 (success), 0 (failure: ``returnCode``) or 2 (partial: each ``resultInfo``
row carries ``errorcode``/``errordescr``, ``0`` meaning OK).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from connectors.errors import AuthenticationError, RemoteRejected, RetriableConnectorError
from connectors.vendor_kit import VendorCode, VendorError

__all__ = [
    "RETURN_CODES",
    "SUCCESS",
    "SYSTEM",
    "FluxDataError",
    "FluxOwnerError",
    "FluxRecordExists",
    "FluxRejected",
    "FluxSignatureError",
    "FluxSystemError",
]

SYSTEM = "wms-flux"
SUCCESS = "0000"


class FluxSignatureError(VendorError, AuthenticationError):
    """The WMS refused the signature or the app credentials."""


class FluxOwnerError(VendorError, AuthenticationError):
    """The owner (货主, CustomerID) is not known to the WMS for this app."""


class FluxSystemError(VendorError, RetriableConnectorError):
    """The WMS failed internally: retry later."""


class FluxDataError(VendorError, RemoteRejected):
    """The WMS refused the data (missing or malformed fields, unknown SKU...)."""


class FluxRecordExists(VendorError, RemoteRejected):
    """The document exists already and can no longer be modified."""


class FluxRejected(VendorError, RemoteRejected):
    """The WMS said no (generic failure, other, or a code this table does not list)."""


RETURN_CODES: Mapping[str, VendorCode] = MappingProxyType(
    {
        "0001": VendorCode(FluxRejected, "失败"),
        "S001": VendorCode(FluxSignatureError, "签名错误"),
        "S002": VendorCode(FluxSystemError, "系统错误"),
        "S003": VendorCode(FluxDataError, "数据错误"),
        "S004": VendorCode(FluxOwnerError, "货主错误"),
        "S006": VendorCode(FluxRecordExists, "记录已存在, 不能修改"),
        "S007": VendorCode(FluxRejected, "其他错误"),
    }
)
