"""丰桥 ``apiResultCode`` values → typed errors, as data.

::

    VendorError (connectors.vendor_kit)
    ├── SfSignatureError       AuthenticationError   A1006 数字签名无效
    ├── SfAccessDenied         AuthenticationError   A1002 expired timestamp, A1003 IP, A1004 no permission
    ├── SfThrottled            RateLimited           A1005 流量受控
    ├── SfDuplicateRequest     Retriable             A1007 重复请求 (resend with a new requestID)
    ├── SfUnavailable          Retriable             A1009 / A1099
    └── SfRejected             RemoteRejected        A1001 / A1008, and business errors (errorCode)

The A-codes follow 丰桥's published gateway list as integrators quote it **[unverified]**.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from connectors.errors import AuthenticationError, RateLimited, RemoteRejected, RetriableConnectorError
from connectors.vendor_kit import VendorCode, VendorError

__all__ = [
    "API_OK",
    "API_RESULT_CODES",
    "BUSINESS_OK",
    "SYSTEM",
    "SfAccessDenied",
    "SfDuplicateRequest",
    "SfRejected",
    "SfSignatureError",
    "SfThrottled",
    "SfUnavailable",
]

SYSTEM = "logistics-sf"
API_OK = "A1000"
BUSINESS_OK = "S0000"


class SfSignatureError(VendorError, AuthenticationError):
    """丰桥 could not verify ``msgDigest`` (wrong checkword or digest variant)."""


class SfAccessDenied(VendorError, AuthenticationError):
    """The partner may not call this service, from this IP, or the timestamp is too old."""


class SfThrottled(VendorError, RateLimited):
    """丰桥 throttled the partner."""


class SfDuplicateRequest(VendorError, RetriableConnectorError):
    """The requestID was used before: send again with a fresh one."""


class SfUnavailable(VendorError, RetriableConnectorError):
    """The gateway or the service behind it failed."""


class SfRejected(VendorError, RemoteRejected):
    """丰桥 refused the request's content."""


API_RESULT_CODES: Mapping[str, VendorCode] = MappingProxyType(
    {
        "A1001": VendorCode(SfRejected, "必传参数不可为空"),
        "A1002": VendorCode(SfAccessDenied, "请求时效已过期"),
        "A1003": VendorCode(SfAccessDenied, "IP无效"),
        "A1004": VendorCode(SfAccessDenied, "无对应服务权限"),
        "A1005": VendorCode(SfThrottled, "流量受控"),
        "A1006": VendorCode(SfSignatureError, "数字签名无效"),
        "A1007": VendorCode(SfDuplicateRequest, "重复请求"),
        "A1008": VendorCode(SfRejected, "数据解密失败"),
        "A1009": VendorCode(SfUnavailable, "目标服务异常或不可达"),
        "A1099": VendorCode(SfUnavailable, "系统异常"),
    }
)
