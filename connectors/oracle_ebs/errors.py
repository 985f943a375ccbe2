"""EBS API outcomes as hub errors.

Every EBS public API reports through ``x_return_status`` (``S`` success, ``E`` expected
error, ``U`` unexpected error: the usual FND_API values, unverified in interfaces.md),
``x_msg_count`` and ``x_msg_data``. Anything but ``S`` is refused here with the EBS messages
kept in :attr:`EbsApiError.remote_messages` (the read service and the sandbox put one
message per line in ``x_msg_data`` when there are several).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.errors import RemoteRejected

__all__ = ["EbsApiError", "check_return_status", "ebs_messages"]

SYSTEM = "oracle-ebs"
_MEANING = {"E": "refused", "U": "failed unexpectedly"}


class EbsApiError(RemoteRejected):
    """An EBS API call returned ``x_return_status`` other than ``S``."""

    def __init__(
        self, message: str, *, operation: str, return_status: str, messages: tuple[str, ...]
    ) -> None:
        super().__init__(message, system=SYSTEM, remote_messages=messages)
        self.operation = operation
        self.return_status = return_status


def ebs_messages(result: Mapping[str, Any]) -> tuple[str, ...]:
    """The messages of ``X_MSG_DATA``, one per line, blanks dropped."""
    data = result.get("X_MSG_DATA")
    if not data:
        return ()
    return tuple(line.strip() for line in str(data).splitlines() if line.strip())


def check_return_status(result: Mapping[str, Any], *, operation: str) -> None:
    """Raise :class:`EbsApiError` unless ``X_RETURN_STATUS`` is ``S``."""
    status = str(result.get("X_RETURN_STATUS") or "").strip().upper()
    if status == "S":
        return
    messages = ebs_messages(result)
    count = result.get("X_MSG_COUNT")
    meaning = _MEANING.get(status, "returned an unknown status")
    detail = "; ".join(messages) if messages else "no message"
    text = (
        f"{SYSTEM}: {operation} {meaning} (x_return_status={status or 'none'}, x_msg_count={count}): {detail}"
    )
    raise EbsApiError(text, operation=operation, return_status=status, messages=messages)
