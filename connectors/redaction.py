"""Keep secrets out of logs, error messages and Airbyte messages.

- :func:`sanitize_url` masks a URL's password and secret-looking query parameters.
- :func:`redact` replaces known secret values in any text (also URL-encoded / JSON-escaped).
- :func:`secret_values` collects the values a JSON-schema spec marks ``airbyte_secret``.
- :class:`RedactingFilter` applies :func:`redact` to log records; attach it to *handlers*
  (a filter on a logger does not see records propagated from its children).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit, urlunsplit

__all__ = [
    "MASK",
    "RedactingFilter",
    "header_secrets",
    "is_secret_name",
    "redact",
    "sanitize_url",
    "secret_values",
]

MASK = "***"

# Parameter / header / field names whose values are credentials. Over-masking a harmless
# parameter (``sort_key``) costs nothing; under-masking leaks a credential.
_SECRET_NAME = re.compile(
    r"(secret|token|key|sign|password|passwd|pwd|auth|credential|session|cookie|checkword|salt)",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """Whether a parameter, header or field called ``name`` likely holds a secret."""
    return bool(_SECRET_NAME.search(unquote_plus(name)))


def header_secrets(headers: Mapping[str, str]) -> list[str]:
    """Values of credential-looking headers (``Authorization``, ``X-Api-Key``, ``*-Sign``...).

    For ``Authorization: Bearer <token>`` both the whole value and the token are returned.
    """
    found: list[str] = []
    for name, value in headers.items():
        if not value or not (is_secret_name(name) or name.lower() == "cookie"):
            continue
        found.append(value)
        _scheme, _, credential = value.partition(" ")
        if credential and len(credential.strip()) >= 4:
            found.append(credential.strip())
    return found


def sanitize_url(url: object) -> str:
    """The URL with its userinfo password and secret-looking query parameter values masked.

    Never raises: anything that does not parse is returned with a best-effort mask.
    """
    text = str(url)
    try:
        parts = urlsplit(text)
    except ValueError:
        return re.sub(r"(://[^:/@]*):[^@/]*@", rf"\1:{MASK}@", text)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{user}@{host}"
    return urlunsplit(
        (parts.scheme, netloc, parts.path, _mask_query(parts.query), _mask_query(parts.fragment))
    )


def _mask_query(query: str) -> str:
    # Splitting by hand keeps every other parameter byte for byte (no re-encoding).
    return "&".join(_mask_pair(pair) for pair in query.split("&")) if query else ""


def _mask_pair(pair: str) -> str:
    name, sep, value = pair.partition("=")
    if sep and value and is_secret_name(name):
        return f"{name}={MASK}"
    return pair


def _forms(secret: str) -> Iterator[str]:
    yield secret
    yield quote(secret, safe="")
    yield quote_plus(secret, safe="")
    yield json.dumps(secret)[1:-1]  # as it appears inside a JSON string


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known secret (and its URL-encoded forms) replaced by ``***``.

    Longer secrets are replaced first, so a secret that contains another is masked whole.
    """
    forms = {form for secret in secrets if secret for form in _forms(str(secret))}
    for form in sorted(forms, key=len, reverse=True):
        if form in text:
            text = text.replace(form, MASK)
    return text


def secret_values(config: Mapping[str, Any], spec_schema: Mapping[str, Any]) -> list[str]:
    """Every value of ``config`` that ``spec_schema`` marks ``airbyte_secret: true``.

    Walks ``properties``, ``oneOf``/``anyOf``/``allOf``, array ``items`` and local ``$ref``s,
    so nested secrets are found too. Values are returned as strings, without duplicates.
    """
    found: dict[str, None] = {}
    _collect(spec_schema, config, spec_schema, found, depth=0)
    return list(found)


def _collect(schema: Any, value: Any, root: Mapping[str, Any], found: dict[str, None], *, depth: int) -> None:
    if not isinstance(schema, Mapping) or value is None or depth > 64:
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        _collect(_resolve(ref, root), value, root, found, depth=depth + 1)
    if schema.get("airbyte_secret") is True:
        for scalar in _scalars(value):
            found.setdefault(scalar, None)
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and isinstance(value, Mapping):
        for name, sub_schema in properties.items():
            if name in value:
                _collect(sub_schema, value[name], root, found, depth=depth + 1)
    for keyword in ("oneOf", "anyOf", "allOf"):
        variants = schema.get(keyword)
        if isinstance(variants, list):
            for variant in variants:
                _collect(variant, value, root, found, depth=depth + 1)
    items = schema.get("items")
    if isinstance(items, Mapping) and isinstance(value, list):
        for item in value:
            _collect(items, item, root, found, depth=depth + 1)


def _resolve(ref: str, root: Mapping[str, Any]) -> Any:
    if not ref.startswith("#/"):
        return None
    node: Any = root
    for token in ref[2:].split("/"):
        if not isinstance(node, Mapping):
            return None
        node = node.get(token.replace("~1", "/").replace("~0", "~"))
    return node


def _scalars(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _scalars(item)
    elif value is not None and not isinstance(value, bool):
        text = value.get_secret_value() if hasattr(value, "get_secret_value") else value
        if str(text):
            yield str(text)


class RedactingFilter(logging.Filter):
    """A logging filter that masks known secrets in a record's message, arguments and traceback.

    Attach it to the handlers that write records out. Secrets can be added later with
    :meth:`add` (e.g. once a connector's config has been read).
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: frozenset[str] = frozenset(s for s in secrets if s)

    @property
    def secrets(self) -> frozenset[str]:
        """The secret values currently masked."""
        return self._secrets

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these values too from now on."""
        with self._lock:
            self._secrets = self._secrets | {s for s in secrets if s}

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record`` in place with secrets masked; never drops a record."""
        secrets = self._secrets
        if not secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not hide the record
            message = str(record.msg)
        record.msg = redact(message, secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True
