"""The flows the hub can run, by name: what `dmshub run NAME` and `deployments/prefect.yaml` refer to.

An entry is named as its Prefect flow is (what the UI shows) and points at the flow by
import path (``module:attr``), imported only when asked for: listing the catalog — or a
typo in a flow name — never imports Prefect, a connector or the store.
``tests/deployments`` checks that every entry imports as a Prefect flow and that every
deployment's entrypoint is an entry here, so neither can rot.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from canonical_model.errors import ConfigError

if TYPE_CHECKING:
    from prefect import Flow

__all__ = ["CATALOG", "CONFIG_DIR", "FlowEntry", "by_entrypoint", "get_flow"]

# The committed connector configs the deployments use (secrets as references only); the
# defaults below point at them so `dmshub run stock-sync` needs no parameters either.
CONFIG_DIR = Path(__file__).resolve().parents[1] / "deployments" / "config"


@dataclass(frozen=True)
class FlowEntry:
    """One runnable flow: its name, where it lives, what it does, defaults for ``dmshub run``."""

    name: str
    target: str
    description: str
    defaults: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def entrypoint(self) -> str:
        """The flow as a ``prefect.yaml`` entrypoint: a file path relative to the repository root."""
        module, attr = self.target.split(":")
        return f"{module.replace('.', '/')}.py:{attr}"

    def load(self) -> Flow[..., Any]:
        """Import the flow (the first call pays for Prefect and the flow's dependencies)."""
        from prefect import Flow

        module, attr = self.target.split(":")
        obj = getattr(importlib.import_module(module), attr)
        if not isinstance(obj, Flow):
            raise ConfigError(f"flow {self.name!r}: {self.target} is not a Prefect flow")
        return obj


CATALOG: Mapping[str, FlowEntry] = MappingProxyType(
    {
        e.name: e
        for e in (
            FlowEntry(
                "sync",
                "flows.sync_flow:sync",
                "Sync a connector's streams (default: all) into the canonical store.",
            ),
            FlowEntry(
                "master-data-sync",
                "flows.scheduled:master_data_sync",
                "Master data from the ERP: dealers, product lines, products, units.",
                {"config_path": str(CONFIG_DIR / "sap-rfc.yaml")},
            ),
            FlowEntry(
                "stock-sync",
                "flows.scheduled:stock_sync",
                "Stock levels from the WMS (or the ERP's plant stock).",
                {"config_path": str(CONFIG_DIR / "wms-sftp.yaml")},
            ),
            FlowEntry(
                "shipments-sync",
                "flows.scheduled:shipments_sync",
                "Shipments from the WMS, then the carrier's waybills and tracking events.",
                {"wms_config_path": str(CONFIG_DIR / "wms-sftp.yaml")},
            ),
            FlowEntry(
                "inbox",
                "flows.inbox_flow:inbox_processing",
                "Apply verified webhook deliveries exactly once; reconcile payments with orders.",
                {"receivers_path": str(CONFIG_DIR / "webhooks.yaml")},
            ),
            FlowEntry(
                "outbox",
                "flows.outbox_flow:outbox_draining",
                "Push approved orders to the ERP as sales orders; write the ERP numbers back.",
                {"targets": {"erp": str(CONFIG_DIR / "sap-rfc.yaml")}, "sinks": {"erp": "sap-rfc-orders"}},
            ),
            FlowEntry(
                "erp-orders",
                "flows.erp_orders:erp_orders_import",
                "Sales orders entered in the ERP become canonical orders with reservations.",
                {"config_path": str(CONFIG_DIR / "sap-odata.yaml")},
            ),
            FlowEntry(
                "replenishment",
                "flows.replenishment_flow:replenishment",
                "Safety stock and health flags per dealer and SKU; draft replenishment orders.",
            ),
            FlowEntry(
                "dealer-health",
                "flows.channel_flows:dealer_health_flow",
                "Grade every dealer A/B/C for a month (default: this month, China time).",
            ),
            FlowEntry(
                "rebate-recalculation",
                "flows.channel_flows:rebate_recalculation_flow",
                "Recalculate the rebate accruals of a month (default: this month).",
            ),
        )
    }
)


def get_flow(name: str) -> FlowEntry:
    """The entry called ``name``; a ``ConfigError`` listing the known names otherwise."""
    try:
        return CATALOG[name]
    except KeyError:
        raise ConfigError(f"unknown flow {name!r}; known flows: {', '.join(sorted(CATALOG))}") from None


def by_entrypoint(entrypoint: str) -> FlowEntry | None:
    """The entry whose ``prefect.yaml`` entrypoint is ``entrypoint``, if any."""
    return next((e for e in CATALOG.values() if e.entrypoint == entrypoint), None)
