"""Secrets stay out of URLs, text, log records and error pickles."""

from __future__ import annotations

import logging
import pickle

import pytest
from pydantic import BaseModel, Field, SecretStr

from connectors.error_mapping import DEFAULT_ERROR_MAPPING, ResponseAction, classify_status
from connectors.errors import AmbiguousOutcome, RateLimited, RemoteRejected
from connectors.redaction import RedactingFilter, redact, sanitize_url, secret_values
from connectors.spec import spec_schema

CANARY = "canary-55e1b0d9aa"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://u:pw123@sftp.example/x?a=1", "https://u:***@sftp.example/x?a=1"),
        ("https://api.example/v1?access_token=abc&page=2", "https://api.example/v1?access_token=***&page=2"),
        (
            "https://api.example/?app_secret=s&sign=f00&sign_type=RSA2&q=x",
            "https://api.example/?app_secret=***&sign=***&sign_type=***&q=x",
        ),
        (
            "https://api.example/?appKey=k1&Signature=s2&password=p",
            "https://api.example/?appKey=***&Signature=***&password=***",
        ),
        (
            "https://api.example/cb#access_token=t0k&state=9",
            "https://api.example/cb#access_token=***&state=9",
        ),
        ("https://api.example/plain?name=a%20b&flag", "https://api.example/plain?name=a%20b&flag"),
    ],
)
def test_sanitize_url_masks_passwords_and_secret_parameters(url: str, expected: str) -> None:
    assert sanitize_url(url) == expected


def test_redact_masks_every_known_secret_in_any_encoding() -> None:
    secret = 'p@ss/"word"'
    text = f'raw {secret} url p%40ss%2F%22word%22 json "p@ss/\\"word\\""'
    redacted = redact(text, [secret])
    assert "p@ss" not in redacted
    assert redacted.count("***") == 3


def test_redact_masks_the_longer_of_two_overlapping_secrets_whole() -> None:
    assert redact("key=abcdef", ["abc", "abcdef"]) == "key=***"


class Nested(BaseModel):
    username: str
    password: SecretStr


class Config(BaseModel):
    host: str
    api_key: SecretStr
    optional_token: SecretStr | None = None
    signing_salt: str = Field(default="", json_schema_extra={"airbyte_secret": True})
    login: Nested


def test_secret_values_finds_top_level_optional_and_nested_secrets() -> None:
    schema = spec_schema(Config)
    config = {
        "host": "erp.example",
        "api_key": "k-1",
        "optional_token": "t-2",
        "signing_salt": "s-3",
        "login": {"username": "rfc_user", "password": "p-4"},
    }
    assert sorted(secret_values(config, schema)) == ["k-1", "p-4", "s-3", "t-2"]


def test_the_spec_marks_secrets_where_airbytes_filter_looks_and_inlines_refs() -> None:
    schema = spec_schema(Config)
    properties = schema["properties"]
    assert properties["api_key"]["airbyte_secret"] is True
    assert properties["optional_token"]["airbyte_secret"] is True  # on the property, not under anyOf
    assert properties["signing_salt"]["airbyte_secret"] is True
    assert properties["login"]["properties"]["password"]["airbyte_secret"] is True
    assert "airbyte_secret" not in properties["host"]
    assert "$defs" not in schema
    assert "$ref" not in str(schema)


def test_the_redacting_filter_masks_messages_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("tests.redaction")
    redactor = RedactingFilter()
    redactor.add([CANARY])
    caplog.handler.addFilter(redactor)
    try:
        logger.warning("calling with key %s", CANARY)
        try:
            raise ValueError(f"boom {CANARY}")
        except ValueError:
            logger.exception("failed")
        formatted = caplog.text
    finally:
        caplog.handler.removeFilter(redactor)
    assert CANARY not in formatted
    assert "calling with key ***" in formatted
    assert "ValueError: boom ***" in formatted


def test_connector_errors_survive_pickling_with_their_details() -> None:
    errors = [
        RateLimited("vendor: 429", system="vendor", retry_after=2.5),
        RemoteRejected("vendor: no", system="vendor", status_code=422, remote_messages=["bad qty"]),
        AmbiguousOutcome("vendor: timeout", system="vendor"),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert copy.__dict__ == error.__dict__


def test_status_codes_map_to_actions_with_a_fallback_by_class() -> None:
    assert classify_status(204) is ResponseAction.SUCCESS
    assert classify_status(429) is ResponseAction.RATE_LIMITED
    assert classify_status(408) is ResponseAction.RETRY
    assert classify_status(599) is ResponseAction.RETRY
    assert classify_status(418) is ResponseAction.FAIL
    assert classify_status(302) is ResponseAction.FAIL
    assert classify_status(401, DEFAULT_ERROR_MAPPING) is ResponseAction.AUTH
