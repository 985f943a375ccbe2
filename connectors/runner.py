"""Run a source as an Airbyte process: ``python -m connectors.NAME spec|check|discover|read``.

Prints Airbyte protocol JSON lines (``SPEC``, ``CONNECTION_STATUS``, ``CATALOG``, ``RECORD``,
``STATE``, ``LOG``, ``TRACE``) to ``stdout``. Every line, log record and error trace passes
through :func:`~connectors.redaction.redact` with the config's ``airbyte_secret`` values on
top of airbyte-cdk's own filter. Logging and ``sys.excepthook`` are restored afterwards, so
the hub's CLI can run a connector in-process (import this module lazily: it loads airbyte_cdk).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from canonical_model.errors import HubError
from connectors._cdk import AbstractSource, AirbyteEntrypoint, AirbyteTracedException, preserved_logging
from connectors.contract import to_traced_exception
from connectors.redaction import RedactingFilter, redact, secret_values

__all__ = ["run_source_cli"]

USAGE = (
    "usage: python -m connectors.NAME spec | check --config F | discover --config F"
    " | read --config F --catalog F [--state F]"
)


def run_source_cli(
    source_factory: Callable[[], AbstractSource], argv: Sequence[str], *, stdout: TextIO | None = None
) -> int:
    """Run one Airbyte command; return the process exit code (0 ok, 1 failed, 2 bad usage)."""
    out = stdout if stdout is not None else sys.stdout
    source = source_factory()
    with preserved_logging(), _restored_process_state():
        entrypoint = AirbyteEntrypoint(source)
        try:
            parsed = entrypoint.parse_args(list(argv))
        except SystemExit as exc:  # argparse already printed its message
            return exc.code if isinstance(exc.code, int) else 2
        if not getattr(parsed, "command", None):
            print(USAGE, file=sys.stderr)
            return 2
        secrets = _config_secrets(source, getattr(parsed, "config", None))
        _install_airbyte_logging(out, secrets)
        try:
            for line in entrypoint.run(parsed):
                out.write(redact(line, secrets) + "\n")
        except Exception as exc:  # noqa: BLE001 - every failure becomes one TRACE message and exit 1
            out.write(redact(_trace_line(exc), secrets) + "\n")
            return 1
        finally:
            out.flush()
    return 0


def _config_secrets(source: AbstractSource, config_path: str | None) -> list[str]:
    if not config_path:
        return []
    try:
        config = source.read_config(config_path)
        spec = source.spec(logging.getLogger("airbyte"))
    except Exception:  # noqa: BLE001 - the entrypoint reports an unreadable config itself
        return []
    return secret_values(config, spec.connectionSpecification)


def _install_airbyte_logging(out: TextIO, secrets: list[str]) -> None:
    from airbyte_cdk.logger import AirbyteLogFormatter

    handler = logging.StreamHandler(out)
    handler.setFormatter(AirbyteLogFormatter("%(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def _trace_line(exc: Exception) -> str:
    traced: AirbyteTracedException
    if isinstance(exc, AirbyteTracedException):
        traced = exc
    elif isinstance(exc, HubError):
        traced = to_traced_exception(exc)
    else:
        traced = AirbyteTracedException.from_exception(exc)
    return str(AirbyteEntrypoint.airbyte_message_to_string(traced.as_sanitized_airbyte_message()))


@contextmanager
def _restored_process_state() -> Iterator[None]:
    # AirbyteEntrypoint installs a process-wide excepthook and points an environment variable
    # at a temporary directory; an in-process run (the hub's CLI) must keep neither.
    from airbyte_cdk.utils.constants import ENV_REQUEST_CACHE_PATH

    hook: Any = sys.excepthook
    cache_path = os.environ.get(ENV_REQUEST_CACHE_PATH)
    try:
        yield
    finally:
        sys.excepthook = hook
        if cache_path is None:
            os.environ.pop(ENV_REQUEST_CACHE_PATH, None)
        else:
            os.environ[ENV_REQUEST_CACHE_PATH] = cache_path
