"""Per-connector inputs for the conformance suite: a working config, one with bad
credentials, and the canary secret that must never appear in any output.

Every source registered under ``dmshub.connectors`` needs a case here; the suite fails
for a registered source without one.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx

CANARY = "canary-7Hq2-ZZ-secret"


@dataclass(frozen=True)
class Case:
    """``setup(tmp_path)`` yields (good config, bad-credentials config) while the source is reachable."""

    setup: Callable[[Path], AbstractContextManager[tuple[dict[str, Any], dict[str, Any]]]]
    source_kwargs: Callable[[], dict[str, Any]] = dict


@contextmanager
def _sample(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    yield (
        {"count": 60, "page_size": 7, "api_key": f"sk_sample_{CANARY}"},
        {"count": 60, "page_size": 7, "api_key": f"revoked-{CANARY}"},
    )


FILE_DROP_FIXTURES = Path(__file__).parent / "file_drop" / "fixtures" / "drop"


def _refuse_all(request: httpx.Request) -> httpx.Response:
    return httpx.Response(401, json={"error": "invalid token"})


@contextmanager
def _file_drop(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    folder = tmp_path / "drop"
    shutil.copytree(FILE_DROP_FIXTURES, folder)
    # Good: a local folder (no secret). Bad: an HTTP drop refusing the canary token.
    yield (
        {"path": str(folder), "settle_seconds": 0},
        {"url": "https://drop.example.invalid/wms/", "token": f"tok-{CANARY}", "settle_seconds": 0},
    )


@cache
def _rest_sandbox() -> Any:
    from connectors.rest.sandbox import demo_sandbox

    return demo_sandbox(token=f"good-{CANARY}")


@contextmanager
def _rest(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    base = {"base_url": "http://rest-sandbox.invalid"}
    yield (
        {**base, "auth": {"type": "bearer", "token": f"good-{CANARY}"}},
        {**base, "auth": {"type": "bearer", "token": f"revoked-{CANARY}"}},
    )


def _rest_kwargs() -> dict[str, Any]:
    from connectors.rest.sandbox import sandbox_transport

    return {"transport": sandbox_transport(_rest_sandbox()), "sleep": lambda seconds: None}


@contextmanager
def _oracle_fusion(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    from connectors.oracle_fusion.sandbox import SANDBOX_URL, SANDBOX_USER

    base = {"base_url": SANDBOX_URL, "page_size": 7}
    yield (
        {**base, "auth": {"type": "basic", "username": SANDBOX_USER, "password": f"Welcome1-{CANARY}"}},
        {**base, "auth": {"type": "basic", "username": SANDBOX_USER, "password": f"revoked-{CANARY}"}},
    )


def _oracle_fusion_kwargs() -> dict[str, Any]:
    from connectors.oracle_fusion.sandbox import SANDBOX_USER, FusionSandbox

    return {"transport": FusionSandbox.seeded(users={SANDBOX_USER: f"Welcome1-{CANARY}"}).transport()}


@contextmanager
def _oracle_ebs(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    from connectors.oracle_ebs.sandbox import SANDBOX_URL, SANDBOX_USER

    base = {"base_url": SANDBOX_URL, "username": SANDBOX_USER, "page_size": 4}
    yield ({**base, "password": f"welcome1-{CANARY}"}, {**base, "password": f"revoked-{CANARY}"})


def _oracle_ebs_kwargs() -> dict[str, Any]:
    from connectors.oracle_ebs.sandbox import SANDBOX_USER, EbsSandbox

    return {"transport": EbsSandbox.seeded(users={SANDBOX_USER: f"welcome1-{CANARY}"}).transport()}


_FLUX_SECRET = f"flux-{CANARY}"
_TMS_SECRET = f"tms-{CANARY}"
_K100_KEY = f"k100-{CANARY}"
_SF_CHECKWORD = f"sf-{CANARY}"
_SANDBOX_EPOCH = datetime(2024, 5, 1, tzinfo=UTC)


@contextmanager
def _wms_flux(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    base = {
        "base_url": "http://flux.sandbox.invalid/datahub/FluxWmsJsonApi/",
        "app_key": "sandbox-flux-appkey",
        "app_token": "sandbox-flux-apptoken",
        "client_customerid": "FLUXWMSJSON",
        "customer_id": "OWNER01",
        "warehouse_ids": ["WH01", "WH02"],
        "page_size": 5,
    }
    yield {**base, "app_secret": _FLUX_SECRET}, {**base, "app_secret": f"revoked-{CANARY}"}


def _wms_flux_kwargs() -> dict[str, Any]:
    from connectors.wms_flux.sandbox import FluxSandbox

    sandbox = FluxSandbox.demo(skus=4, shipped_from=_SANDBOX_EPOCH, app_secret=_FLUX_SECRET)
    return {"transport": sandbox.transport, "sleep": lambda seconds: None}


@contextmanager
def _tms(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    base = {"base_url": "https://tms.sandbox.invalid/rest", "app_key": "sandbox-tms-key", "page_size": 3}
    yield {**base, "app_secret": _TMS_SECRET}, {**base, "app_secret": f"revoked-{CANARY}"}


def _tms_kwargs() -> dict[str, Any]:
    from connectors.tms.sandbox import TmsSandbox

    sandbox = TmsSandbox.demo(start=_SANDBOX_EPOCH, app_secret=_TMS_SECRET)
    return {"transport": sandbox.transport, "sleep": lambda seconds: None}


@contextmanager
def _kuaidi100(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    base = {
        "customer": "SANDBOX0000CUSTOMER",
        "base_url": "https://poll.kuaidi100.sandbox.invalid",
        "waybills": [
            {"company": "shunfeng", "number": "SF1000000001", "shipment_no": "SH-0001"},
            {"company": "yuantong", "number": "YT2000000002"},
        ],
    }
    yield {**base, "key": _K100_KEY, "salt": f"salt-{CANARY}"}, {**base, "key": f"revoked-{CANARY}"}


def _kuaidi100_kwargs() -> dict[str, Any]:
    from connectors.logistics_kuaidi100.sandbox import Kuaidi100Sandbox

    sandbox = Kuaidi100Sandbox.demo(start=_SANDBOX_EPOCH, key=_K100_KEY)
    return {"transport": sandbox.transport, "sleep": lambda seconds: None}


@contextmanager
def _sf(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    base = {
        "partner_id": "SANDBOX_PARTNER",
        "base_url": "https://sfapi.sandbox.invalid/std/service",
        "waybills": [{"number": "SF1000000001"}, {"number": "SF1000000002", "phone": "1234"}],
    }
    yield {**base, "checkword": _SF_CHECKWORD}, {**base, "checkword": f"revoked-{CANARY}"}


def _sf_kwargs() -> dict[str, Any]:
    from connectors.logistics_sf.sandbox import SfSandbox

    sandbox = SfSandbox.demo(start=_SANDBOX_EPOCH, checkword=_SF_CHECKWORD)
    return {"transport": sandbox.transport, "sleep": lambda seconds: None}


@contextmanager
def _wms_sftp(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """A real sshd (skipped locally without it, failing under CI) serving a drop folder."""
    from connectors.wms_sftp.sandbox import (
        SHIPMENT_FILE_COLUMNS,
        shipment_rows,
        write_drop_file,
        write_inventory_file,
    )
    from connectors.wms_sftp.shapes import RECEIPT_COLUMNS
    from tests.connectors.sshd import running_sshd

    out, settled = tmp_path / "drop" / "out", time.time() - 3600
    write_inventory_file(out / "inv_WH-SH_20260501.csv", 40, encoding="gbk", mtime=settled)
    shipped = shipment_rows(
        "SHP-1", order_no="SO-1", dealer_code="D-001", warehouse_code="WH-SH", lines=[("SKU-00001", "", 4)]
    )
    write_drop_file(out, "shp_20260501.csv", SHIPMENT_FILE_COLUMNS, shipped, mtime=settled)
    received = [["RCV-1", "ASN-1", "WH-SH", "1", "SKU-00001", "", "24", "", "2026-05-01 09:00:00"]]
    write_drop_file(out, "rcv_20260501.csv", RECEIPT_COLUMNS, received, mtime=settled)
    (tmp_path / "drop" / "in").mkdir()
    with running_sshd(tmp_path / "sshd") as server:
        good = {
            "host": server.host,
            "port": server.port,
            "username": server.user,
            "private_key": server.client_private_key,
            "known_hosts": server.known_hosts,
            "out_dir": str(out),
            "in_dir": str(tmp_path / "drop" / "in"),
            "settle_seconds": 0,
            "chunk_rows": 7,
        }
        bad = {**{k: v for k, v in good.items() if k != "private_key"}, "password": f"wrong-{CANARY}"}
        yield good, bad


@contextmanager
def _sap_rfc(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    logon = {
        "ashost": "sap-erp.example.invalid",
        "sysnr": "00",
        "client": "100",
        "user": "HUB_RFC",
        "lang": "ZH",
        "customer_append_fields": ["ZZADCODE"],
        "page_size": 2,
        "availability": True,
    }
    yield {**logon, "passwd": f"pw-{CANARY}"}, {**logon, "passwd": f"revoked-{CANARY}"}


def _sap_rfc_kwargs() -> dict[str, Any]:
    from connectors.sap_rfc.sandbox import SapSandbox

    return {"connection_factory": SapSandbox.demo(users={"HUB_RFC": f"pw-{CANARY}"}).connect}


@contextmanager
def _sap_odata(tmp_path: Path) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    base = {"base_url": "https://s4-sandbox.dmshub.invalid", "username": "HUB_COMM", "page_size": 5}
    yield {**base, "password": f"pw-{CANARY}"}, {**base, "password": f"revoked-{CANARY}"}


def _sap_odata_kwargs() -> dict[str, Any]:
    from connectors.sap_odata.sandbox import SalesOrderSandbox

    return {
        "transport": httpx.MockTransport(SalesOrderSandbox.demo(users={"HUB_COMM": f"pw-{CANARY}"}).handle)
    }


CASES: dict[str, Case] = {
    "sample": Case(_sample),
    "file-drop": Case(_file_drop, lambda: {"transport": httpx.MockTransport(_refuse_all)}),
    "rest": Case(_rest, _rest_kwargs),
    "oracle-fusion": Case(_oracle_fusion, _oracle_fusion_kwargs),
    "oracle-ebs": Case(_oracle_ebs, _oracle_ebs_kwargs),
    "wms-flux": Case(_wms_flux, _wms_flux_kwargs),
    "tms": Case(_tms, _tms_kwargs),
    "logistics-kuaidi100": Case(_kuaidi100, _kuaidi100_kwargs),
    "logistics-sf": Case(_sf, _sf_kwargs),
    "wms-sftp": Case(_wms_sftp),
    "sap-rfc": Case(_sap_rfc, _sap_rfc_kwargs),
    "sap-odata": Case(_sap_odata, _sap_odata_kwargs),
}
