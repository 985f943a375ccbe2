"""Connector configuration files, with secrets resolved by the caller, never by the connector.

A config file is JSON or YAML. A secret is never written into it: a value
``{"$env": "WMS_SFTP_PASSWORD"}`` is read from the environment and
``{"$secret": "wms-sftp-password"}`` from a Prefect Secret block of that name, when the
config is loaded — so connectors receive plain arguments (dlt's way) and the file can be
committed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from canonical_model.errors import ConfigError

__all__ = ["load_config", "resolve_secrets"]

SecretLookup = Callable[[str], str]


def _prefect_secret(name: str) -> str:
    try:
        from prefect.blocks.system import Secret
    except ImportError as exc:  # pragma: no cover - prefect is a dependency
        raise ConfigError("Prefect is needed to read Secret blocks") from exc
    try:
        block: Any = Secret.load(name)  # sync context: a block, not a coroutine
        value = block.get()
    except ValueError as exc:
        raise ConfigError(f"Prefect Secret block {name!r} not found") from exc
    return str(value)


def resolve_secrets(
    value: Any,
    *,
    env: Mapping[str, str] | None = None,
    secret_lookup: SecretLookup | None = None,
    path: str = "config",
) -> Any:
    """``value`` with every ``{"$env": NAME}`` / ``{"$secret": NAME}`` replaced by the secret."""
    environ = os.environ if env is None else env
    if isinstance(value, Mapping):
        if set(value) == {"$env"}:
            name = str(value["$env"])
            if name not in environ:
                raise ConfigError(f"{path}: environment variable {name} is not set")
            return environ[name]
        if set(value) == {"$secret"}:
            return (secret_lookup or _prefect_secret)(str(value["$secret"]))
        return {
            k: resolve_secrets(v, env=environ, secret_lookup=secret_lookup, path=f"{path}.{k}")
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            resolve_secrets(v, env=environ, secret_lookup=secret_lookup, path=f"{path}[{i}]")
            for i, v in enumerate(value)
        ]
    return value


def load_config(
    path: Path | str,
    *,
    env: Mapping[str, str] | None = None,
    secret_lookup: SecretLookup | None = None,
) -> dict[str, Any]:
    """Read a JSON or YAML config file and resolve its secret references."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {file} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {file}: {exc}") from exc
    try:
        data = json.loads(text) if file.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"config file {file} is not valid {'JSON' if file.suffix == '.json' else 'YAML'}: "
            f"{str(exc).splitlines()[0]}"
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {file} must hold an object (key: value pairs)")
    resolved: dict[str, Any] = resolve_secrets(data, env=env, secret_lookup=secret_lookup)
    return resolved
