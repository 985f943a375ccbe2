"""Config files: secrets are references resolved at load time; bad files are one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from canonical_model.errors import ConfigError
from flows.sync.config import load_config


def test_env_and_secret_block_references_are_resolved(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        "host: sftp.local\nauth:\n  password: {$env: WMS_PW}\n  key: {$secret: wms-key}\n", encoding="utf-8"
    )
    loaded = load_config(cfg, env={"WMS_PW": "pw-1"}, secret_lookup=lambda name: f"block:{name}")
    assert loaded == {"host": "sftp.local", "auth": {"password": "pw-1", "key": "block:wms-key"}}


def test_a_missing_environment_variable_names_the_field(tmp_path: Path) -> None:
    cfg = tmp_path / "c.json"
    cfg.write_text('{"auth": {"password": {"$env": "NOPE"}}}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.auth.password: environment variable NOPE is not set"):
        load_config(cfg, env={})


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("c.json", "{not json", "is not valid JSON"),
        ("c.yaml", "a: [1, 2", "is not valid YAML"),
        ("c.yaml", "- 1\n- 2\n", "must hold an object"),
    ],
)
def test_bad_config_files_are_one_line_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    cfg = tmp_path / name
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(cfg)


def test_a_missing_file_is_reported_by_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.yaml")
