"""The flow catalog and deployments/prefect.yaml agree with each other and with the flows."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from canonical_model.errors import ConfigError
from flows.catalog import CATALOG, by_entrypoint, get_flow
from flows.cli.deploy_cmd import ROOT, deployment_specs

SPECS = deployment_specs()


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_catalog_entry_is_a_prefect_flow_of_that_name(name: str) -> None:
    from prefect import Flow

    flow = CATALOG[name].load()
    assert isinstance(flow, Flow)
    assert flow.name == name
    assert (ROOT / CATALOG[name].entrypoint.split(":")[0]).is_file()
    defaults = CATALOG[name].defaults
    assert set(defaults) <= set(inspect.signature(flow.fn).parameters)
    paths = [v for k, v in defaults.items() if k.endswith("_path")]
    paths += list(defaults.get("targets", {}).values())
    assert [p for p in paths if not Path(p).is_file()] == []


def test_every_deployment_runs_a_catalogued_flow_and_every_flow_is_deployed() -> None:
    entrypoints = [spec["entrypoint"] for spec in SPECS]
    assert [e for e in entrypoints if by_entrypoint(e) is None] == []
    assert {entry.entrypoint for entry in CATALOG.values()} == set(entrypoints)
    names = [spec["name"] for spec in SPECS]
    assert len(names) == len(set(names)), "deployment names must be unique within the file"


@pytest.mark.parametrize("spec", SPECS, ids=[spec["name"] for spec in SPECS])
def test_a_deployment_names_real_parameters_a_process_pool_and_china_time_schedules(
    spec: dict[str, object],
) -> None:
    entry = by_entrypoint(str(spec["entrypoint"]))
    assert entry is not None
    signature = inspect.signature(entry.load().fn).parameters
    parameters = spec.get("parameters") or {}
    assert isinstance(parameters, dict)
    assert set(parameters) <= set(signature)
    assert spec["work_pool"] == {"name": "dmshub-process", "work_queue_name": "default"}
    schedules = spec.get("schedules") or []
    assert isinstance(schedules, list)
    for schedule in schedules:
        assert schedule["timezone"] == "Asia/Shanghai" and schedule["cron"]
    if schedules:  # a scheduled run has nobody to give it a missing parameter
        required = {n for n, p in signature.items() if p.default is p.empty}
        assert required <= set(parameters)
        assert spec["concurrency_limit"]["limit"] == 1
    for name, value in parameters.items():
        if name.endswith("_path") and str(value).startswith("deployments/"):
            assert (ROOT / str(value)).is_file(), f"{spec['name']}: {name} {value} does not exist"
    for target, path in (parameters.get("targets") or {}).items():
        assert (ROOT / path).is_file(), f"{spec['name']}: outbox target {target} config {path} missing"


def test_the_workers_run_the_flows_in_their_checkout() -> None:
    import yaml

    spec = yaml.safe_load((ROOT / "deployments" / "prefect.yaml").read_text(encoding="utf-8"))
    assert spec["pull"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": "{{ $DMSHUB_HOME }}"}}
    ]


def test_an_unknown_flow_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown flow 'nope'; known flows: .*sync"):
        get_flow("nope")


def test_the_catalog_imports_nothing_heavy() -> None:
    heavy = ("prefect", "airbyte_cdk", "sqlalchemy")
    probe = f"import sys, flows.catalog; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


CONFIGS = sorted((ROOT / "deployments" / "config").glob("*.yaml"))


class _AnyEnv(dict[str, str]):
    """Every variable is set: to a plausible value where the connector checks its shape."""

    def __contains__(self, name: object) -> bool:
        return True

    def __getitem__(self, name: str) -> str:
        return {
            "SAP_ODATA_BASE_URL": "https://s4.example.com",
            "WMS_SFTP_HOST_KEY_FINGERPRINT": "SHA256:" + "A" * 43,
        }.get(name, "placeholder")


def _secret(name: str) -> str:
    if name != "alipay-public-key":
        return "not-the-real-secret"
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_a_deployment_config_is_valid_for_its_connector_and_holds_no_secret(path: Path) -> None:
    """``<connector>.yaml`` parses with that connector's spec; ``webhooks.yaml`` builds its receivers."""
    from connectors.registry import get_connector
    from flows.sync.config import load_config
    from flows.sync.engine import load_source

    config = load_config(path, env=_AnyEnv(), secret_lookup=_secret)
    if path.stem == "webhooks":
        for endpoint, entry in config.items():
            get_connector(entry["connector"]).load_factory()(dict(entry["config"]), name=endpoint)
    else:
        load_source(path.stem).parse_config(config)
    text = path.read_text(encoding="utf-8")
    assert "$secret" in text and "not-the-real-secret" not in text
