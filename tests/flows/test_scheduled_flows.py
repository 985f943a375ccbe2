"""The scheduled flows: stream defaults, the outbox push step under a lost answer, artifacts, one real run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from canonical_model.errors import ConfigError
from canonical_model.tables import external_refs, orders, outbox, utcnow
from connectors.sap_rfc.sink import SapRfcSink
from flows.inbox_flow import inbox_markdown
from flows.outbox_flow import drain_target, load_sink_config, outbox_markdown, sink_connector_for
from flows.scheduled import MASTER_DATA_STREAMS, SHIPMENT_STREAMS, STOCK_STREAMS, streams_for
from tests.dms_core.ordering_support import DAY, seed_world
from tests.flows.test_outbox import CONFIG, PASSWORD, approved_order, sap_with_world


def test_each_job_has_its_streams_per_connector_and_asks_for_them_otherwise() -> None:
    assert streams_for("master-data-sync", MASTER_DATA_STREAMS, "sap-rfc", None) == [
        "customers",
        "material_groups",
        "materials",
        "material_units",
    ]
    assert streams_for("stock-sync", STOCK_STREAMS, "wms-flux", None) == ["inventory"]
    assert streams_for("stock-sync", STOCK_STREAMS, "wms-flux", ["inventory"]) == ["inventory"]
    assert streams_for("shipments-sync", SHIPMENT_STREAMS, "wms-sftp", None)[:2] == [
        "shipments",
        "shipment_lines",
    ]
    with pytest.raises(ConfigError, match="no default streams for connector 'tms'"):
        streams_for("stock-sync", STOCK_STREAMS, "tms", None)


def test_outbox_targets_find_their_sink_connector() -> None:
    assert sink_connector_for("sap-rfc") == "sap-rfc-orders"
    assert sink_connector_for("sap-rfc-orders") == "sap-rfc-orders"
    assert sink_connector_for("erp", {"erp": "oracle-fusion-orders"}) == "oracle-fusion-orders"


def test_sink_config_secrets_are_resolved_and_remembered_for_redaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sap.yaml"
    path.write_text(
        "ashost: sap.invalid\nclient: '100'\nuser: HUB_RFC\npasswd: {$env: SAP_PW}\n", encoding="utf-8"
    )
    monkeypatch.setenv("SAP_PW", PASSWORD)

    config, secrets = load_sink_config(str(path))

    assert config["passwd"] == PASSWORD and secrets == (PASSWORD,)


def test_a_push_step_killed_after_sap_committed_is_retried_without_a_second_sap_order(engine: Engine) -> None:
    seed_world(engine)
    order_no = approved_order(engine, "k-killed")
    sap = sap_with_world()
    sink = SapRfcSink(CONFIG, connection_factory=sap.connect, sleep=lambda s: None)
    # The killed step had claimed the message (a 10-minute lease) and SAP committed the order;
    # the process died before the ERP number was written back.
    claimed_at = utcnow()
    with engine.begin() as conn:
        payload = conn.execute(sa.select(outbox.c.payload)).scalar_one()
        conn.execute(
            outbox.update().values(
                status="sending", attempts=1, next_attempt_at=claimed_at + timedelta(minutes=10)
            )
        )
    sink.submit_order(payload)

    retried = drain_target(engine, "sap-rfc", sink, clock=lambda: claimed_at + timedelta(seconds=5))
    after_lease = drain_target(engine, "sap-rfc", sink, clock=lambda: claimed_at + timedelta(minutes=11))
    again = drain_target(engine, "sap-rfc", sink, clock=lambda: claimed_at + timedelta(hours=1))

    assert retried == {"target": "sap-rfc", "sent": {}, "retrying": {}, "dead": {}}  # still leased
    [in_sap] = sap.sales_orders()  # one SAP order: the lease expired, the lookup found it
    number = in_sap["VBELN"].lstrip("0")
    assert after_lease["sent"] == {order_no: number} and again["sent"] == {}
    with engine.connect() as conn:
        assert conn.execute(sa.select(orders.c.status)).scalar_one() == "released_to_erp"
        assert conn.execute(sa.select(external_refs.c.external_id)).scalar_one() == number
        assert conn.execute(sa.select(outbox.c.status)).scalar_one() == "sent"


def test_the_outbox_artifact_has_counts_per_target_and_each_order(engine: Engine) -> None:
    seed_world(engine)
    order_no = approved_order(engine, "k-md")
    sap = sap_with_world()
    sink = SapRfcSink(CONFIG, connection_factory=sap.connect, sleep=lambda s: None)

    summary = drain_target(engine, "sap-rfc", sink, secrets=(PASSWORD,))

    number = summary["sent"][order_no]
    markdown = outbox_markdown(
        [summary, {"target": "erp", "sent": {}, "retrying": {}, "dead": {"O-2": "bad"}}]
    )
    assert "| sap-rfc | 1 | 0 | 0 |" in markdown and "| erp | 0 | 0 | 1 |" in markdown
    assert (
        f"| sap-rfc | {order_no} | sent | {number} |" in markdown and "| erp | O-2 | dead | bad |" in markdown
    )
    assert PASSWORD not in markdown


def test_the_inbox_artifact_counts_deliveries_and_new_payment_cases() -> None:
    payments: dict[str, Any] = {
        "lines_updated": 2,
        "orders_reconciled": 1,
        "quarantined": ["overpayment: O-1"],
    }
    markdown = inbox_markdown({"processed": 3, "failed": 1, "unknown": 0}, payments)
    assert "| processed | 3 |" in markdown and "| payment cases quarantined | 1 |" in markdown
    assert "- overpayment: O-1" in markdown


@pytest.mark.usefixtures("prefect_harness")
def test_a_replenishment_flow_run_drafts_and_leaves_its_artifact(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from canonical_model.store.database import create_engine
    from canonical_model.store.migrations import upgrade
    from canonical_model.tables import sell_through
    from flows.replenishment_flow import replenishment

    url = f"sqlite:///{tmp_path}/hub.sqlite"
    engine = create_engine(url)
    upgrade(engine)
    seed_world(engine)
    with engine.begin() as conn:
        conn.execute(
            sell_through.insert(), [{"dealer_code": "DB", "sku": "MILK", "period_date": DAY, "qty": 60}]
        )
    engine.dispose()

    result = replenishment(as_of=DAY, database_url=url)

    # 60 sold in 30 days → 2/day × 14 = 28 → two cases of 24
    assert [(r["dealer_code"], r["sku"], r["suggested_qty"], r["flags"]) for r in result["rows"]] == [
        ("DB", "MILK", "48", ["fast"])
    ]
    assert list(result["drafts"]) == ["DB"] and not result["refused"]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["replenishment"]))
        )
    assert artifacts, "the flow run left no artifact"
    assert f"| DB | MILK | 0 | 2.0000 | 28.0000 | 48 | fast | {result['drafts']['DB']} |" in str(
        artifacts[0].data
    )
