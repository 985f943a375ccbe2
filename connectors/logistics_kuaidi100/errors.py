"""快递100 return codes → typed errors, as data.

::

    VendorError (connectors.vendor_kit)
    ├── Kuaidi100SignatureError   AuthenticationError   503 验证签名失败
    ├── Kuaidi100KeyRejected      AuthenticationError   600/601 key wrong, expired or no balance
    ├── Kuaidi100Busy             RateLimited           502 concurrency above the contract
    ├── Kuaidi100Unavailable      Retriable             500 (subscribe) / 501 server error
    └── Kuaidi100Rejected         RemoteRejected        bad data, unsupported company, ...
    PushRejected                  FatalConnectorError   an inbound push we refuse
    ├── PushSignatureInvalid                            sign does not match (forged or wrong salt)
    └── PushMalformed                                   fields missing, param not JSON

Query and subscribe share some numbers with different meanings (501 is a server error on
query, "already subscribed" — a success — on subscribe), hence two tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from connectors.errors import (
    AuthenticationError,
    FatalConnectorError,
    RateLimited,
    RemoteRejected,
    RetriableConnectorError,
)
from connectors.vendor_kit import VendorCode, VendorError

__all__ = [
    "NO_RESULT",
    "QUERY_RETURN_CODES",
    "SUBSCRIBE_OK",
    "SUBSCRIBE_RETURN_CODES",
    "SYSTEM",
    "Kuaidi100Busy",
    "Kuaidi100KeyRejected",
    "Kuaidi100Rejected",
    "Kuaidi100SignatureError",
    "Kuaidi100Unavailable",
    "PushMalformed",
    "PushRejected",
    "PushSignatureInvalid",
]

SYSTEM = "logistics-kuaidi100"


class Kuaidi100SignatureError(VendorError, AuthenticationError):
    """快递100 could not verify our signature (wrong key or customer)."""


class Kuaidi100KeyRejected(VendorError, AuthenticationError):
    """The key is not a valid subscriber, has expired, or the account has no balance."""


class Kuaidi100Busy(VendorError, RateLimited):
    """More concurrent queries than the contract allows: retry later."""


class Kuaidi100Unavailable(VendorError, RetriableConnectorError):
    """快递100 had a server error: retry later."""


class Kuaidi100Rejected(VendorError, RemoteRejected):
    """快递100 refused the request's data (company, number, callback URL...)."""


class PushRejected(FatalConnectorError):
    """An inbound push the hub refuses; answer it with a failure, store nothing."""


class PushSignatureInvalid(PushRejected):
    """The push's ``sign`` does not match ``UPPER(MD5(param + salt))``."""


class PushMalformed(PushRejected):
    """The push lacks ``param`` / ``sign`` or its ``param`` is not the JSON 快递100 sends."""


NO_RESULT = "500"
"""Real-time query: 查询无结果 — the carrier has no events yet (not an error for tracking)."""
SUBSCRIBE_OK = frozenset({"200", "501"})
"""Subscribe: 200 提交成功, 501 重复订阅 (already tracked) — both mean "subscribed"."""

QUERY_RETURN_CODES: Mapping[str, VendorCode] = MappingProxyType(
    {
        "400": VendorCode(Kuaidi100Rejected, "提交的数据不完整, 或者贵公司没授权"),
        "408": VendorCode(Kuaidi100Rejected, "电话号码校验不通过 (phone digits required or wrong)"),
        NO_RESULT: VendorCode(Kuaidi100Rejected, "查询无结果, 请隔段时间再查"),
        "501": VendorCode(Kuaidi100Unavailable, "服务器错误"),
        "502": VendorCode(Kuaidi100Busy, "服务器繁忙, 查询并发量超出约定额度"),
        "503": VendorCode(Kuaidi100SignatureError, "验证签名失败"),
        "601": VendorCode(Kuaidi100KeyRejected, "POLL:KEY已过期或账户余额不足"),
    }
)
SUBSCRIBE_RETURN_CODES: Mapping[str, VendorCode] = MappingProxyType(
    {
        "500": VendorCode(Kuaidi100Unavailable, "服务器错误"),
        "502": VendorCode(Kuaidi100Rejected, "订阅内容含敏感词"),
        "600": VendorCode(Kuaidi100KeyRejected, "您不是合法的订阅者 (授权key错误或余额不足)"),
        "601": VendorCode(Kuaidi100KeyRejected, "POLL:KEY已过期"),
        "700": VendorCode(Kuaidi100Rejected, "不支持的快递公司"),
        "701": VendorCode(Kuaidi100Rejected, "订阅数据错误 (单号为空/超长或回调地址无效)"),
        "702": VendorCode(Kuaidi100Rejected, "POLL:识别不到该单号对应的快递公司"),
    }
)
