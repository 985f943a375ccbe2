"""The ``sap-rfc`` source against the SAP sandbox: streams, logon failures, and airbyte's suite."""

from __future__ import annotations

import logging
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import connectors.sap_rfc
from canonical_model.errors import ConfigError
from connectors.errors import AuthenticationError
from connectors.sap_rfc.sandbox import LOGON, LogonError, SapSandbox
from connectors.sap_rfc.sink import SapRfcSink
from connectors.sap_rfc.source import SapRfcSource
from connectors.sap_rfc.spec import SANDBOX_PASSWORD, SANDBOX_USER
from connectors.testing import Scenario, pytest_generate_tests, standard_source_suite

__all__ = ["TestSapRfcSource", "pytest_generate_tests"]  # the hook parametrizes `scenario`

SANDBOX_CONFIG = {
    "sandbox": True,
    "client": "100",
    "user": SANDBOX_USER,
    "passwd": SANDBOX_PASSWORD,
    "page_size": 2,
}

TestSapRfcSource = standard_source_suite(
    SapRfcSource,
    connector_root=Path(connectors.sap_rfc.__file__).parent,
    scenarios={
        "sandbox": Scenario({**SANDBOX_CONFIG, "availability": True}, "succeed"),
        "wrong_password": Scenario(
            {**SANDBOX_CONFIG, "passwd": "not-the-password"}, "failed", ("connection",)
        ),
    },
)


def read(source: SapRfcSource, config: dict[str, Any], stream: str) -> pd.DataFrame:
    [found] = [s for s in source.hub_streams(source.parse_config(config)) if s.name == stream]
    frames = [batch.frame for batch in found.read_batches(None)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def test_customers_come_alpha_normalised_with_their_hierarchy_parent_parents_first(
    sandbox: SapSandbox, config: dict[str, Any]
) -> None:
    [stream] = [
        s
        for s in SapRfcSource(connection_factory=sandbox.connect).hub_streams(
            SapRfcSource().parse_config({**config, "page_size": 2})
        )
        if s.name == "customers"
    ]
    [batch] = stream.read_batches(None)  # one batch: the tree travels whole, read in pages of 2
    frame = batch.frame
    assert len([c for c in sandbox.calls_to("RFC_READ_TABLE") if c.params.get("QUERY_TABLE") == "KNA1"]) > 3

    assert list(frame["KUNNR"]) == ["BRAND", "ND-EAST", "21", "22", "T-0001"]
    parents = dict(zip(frame["KUNNR"], frame["HKUNNR"], strict=True))
    assert parents == {"BRAND": "", "ND-EAST": "BRAND", "21": "ND-EAST", "22": "ND-EAST", "T-0001": "21"}
    suspended = frame.set_index("KUNNR").loc["22"]
    assert (suspended["AUFSD"], suspended["ZZADCODE"], suspended["KTOKD"]) == ("01", "330203", "ZL1")


def test_materials_carry_their_text_in_the_logon_language_and_the_case_conversion(
    sandbox: SapSandbox, config: dict[str, Any]
) -> None:
    frame = read(SapRfcSource(connection_factory=sandbox.connect), config, "materials").set_index("MATNR")

    milk = frame.loc["100200"]  # stored as 000000000000100200
    assert (milk["MAKTX"], milk["MEINS"], milk["CASE_UMREZ"], milk["CASE_UMREN"]) == (
        "华夏纯牛奶 250ml×24盒",
        "ST",
        Decimal(4),
        Decimal(1),
    )
    assert milk["MHDHB"] == Decimal(180) and milk["EAN11"] == "6923456102002"


def test_plant_stock_reads_only_the_configured_plants_as_decimals(
    sandbox: SapSandbox, config: dict[str, Any]
) -> None:
    frame = read(
        SapRfcSource(connection_factory=sandbox.connect), {**config, "plants": ["1010"]}, "plant_stock"
    )

    assert set(frame["WERKS"]) == {"1010"}
    stock: dict[Any, Any] = {(r.MATNR, r.LGORT): (r.LABST, r.UMLME) for r in frame.itertuples()}
    assert stock == {
        ("100200", "0001"): (Decimal(960), Decimal(96)),
        ("SKU-10001", "0001"): (Decimal(240), Decimal(0)),
    }


def test_availability_is_stock_minus_committed_orders(sandbox: SapSandbox, config: dict[str, Any]) -> None:
    source = SapRfcSource(connection_factory=sandbox.connect)
    before = read(source, {**config, "availability": True}, "availability").set_index(["MATNR", "WERKS"])
    SapRfcSink({**config, "orders": {"plant": "1000"}}, connection_factory=sandbox.connect).submit_order(
        {"order_no": "SO-ATP-1", "dealer_code": "21", "lines": [{"sku": "SKU-10001", "qty": 2, "unit": "CS"}]}
    )
    after = read(source, {**config, "availability": True}, "availability").set_index(["MATNR", "WERKS"])

    assert before.loc[("SKU-10001", "1000"), "AV_QTY_PLT"] == Decimal(876)
    assert after.loc[("SKU-10001", "1000"), "AV_QTY_PLT"] == Decimal(876 - 12)
    assert after.loc[("SKU-10001", "1010"), "AV_QTY_PLT"] == Decimal(240)


def test_a_refused_logon_fails_check_with_one_clean_line_and_no_password(
    sandbox: SapSandbox, config: dict[str, Any]
) -> None:
    source = SapRfcSource(connection_factory=sandbox.connect)
    ok, message = source.check_connection(logging.getLogger("test"), {**config, "passwd": "wrong-" + "p4ss"})

    assert ok is False and message is not None
    assert message.startswith("sap-rfc: SAP logon failed (RFC_LOGON_FAILURE)")
    assert "\n" not in message and "p4ss" not in message


def test_a_logon_error_while_reading_is_fatal_and_not_retried(
    sandbox: SapSandbox, config: dict[str, Any]
) -> None:
    sandbox.fail_next(LOGON, LogonError("User locked", code=2, key="RFC_LOGON_FAILURE"))
    [stream] = [
        s
        for s in SapRfcSource(connection_factory=sandbox.connect).hub_streams(
            SapRfcSource().parse_config(config)
        )
        if s.name == "plant_stock"
    ]

    with pytest.raises(AuthenticationError, match="User locked"):
        list(stream.read_batches(None))
    assert sandbox.logons == 1 and sandbox.calls == []


def test_without_pyrfc_a_real_logon_asks_for_the_sap_rfc_extra(
    config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyrfc", None)  # as if the extra were not installed
    ok, message = SapRfcSource().check_connection(logging.getLogger("test"), config)
    assert ok is False and message is not None and "[sap-rfc] extra" in message


def test_load_balanced_logon_needs_a_group(config: dict[str, Any]) -> None:
    balanced = {k: v for k, v in config.items() if k not in ("ashost", "sysnr")}
    with pytest.raises(ConfigError, match="group"):
        SapRfcSource().parse_config({**balanced, "mshost": "sapms.example.invalid"})
    parsed = SapRfcSource().parse_config(
        {**balanced, "mshost": "sapms.example.invalid", "sysid": "PRD", "group": "SALES"}
    )
    assert {k: parsed.logon()[k] for k in ("mshost", "sysid", "group")} == {
        "mshost": "sapms.example.invalid",
        "sysid": "PRD",
        "group": "SALES",
    }
    assert "ashost" not in parsed.logon()
