"""Scheduled syncs: master data from the ERP, stock from the WMS, shipments and tracking.

Each is the generic :func:`flows.sync_flow.sync` flow run as a subflow with the streams
that matter for the job, chosen per connector (:data:`MASTER_DATA_STREAMS`, ...), so the
sync engine, its per-stream task retries, stream locks and artifacts are the same
everywhere. Parameters may name other streams; a connector without defaults must.

ERP prices: no ERP connector has a price stream yet, so master data is dealers, product
lines, products and units; prices come from the hub's own price lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from prefect import flow

from canonical_model.errors import ConfigError
from flows.sync_flow import sync

__all__ = [
    "MASTER_DATA_STREAMS",
    "SHIPMENT_STREAMS",
    "STOCK_STREAMS",
    "TRACKING_STREAMS",
    "master_data_sync",
    "shipments_sync",
    "stock_sync",
    "streams_for",
]

# Parents before children: product lines before products, products before their units.
MASTER_DATA_STREAMS: Mapping[str, tuple[str, ...]] = {
    "sap-rfc": ("customers", "material_groups", "materials", "material_units"),
    "oracle-ebs": ("customers", "items"),
    "rest": ("dealers", "products"),
    "file-drop": ("dealers", "products"),
}
STOCK_STREAMS: Mapping[str, tuple[str, ...]] = {
    "wms-sftp": ("inventory",),
    "wms-flux": ("inventory",),
    "sap-rfc": ("plant_stock",),
    "rest": ("stock",),
    "file-drop": ("stock",),
}
SHIPMENT_STREAMS: Mapping[str, tuple[str, ...]] = {
    "wms-sftp": ("shipments", "shipment_lines", "trace_codes"),
    "wms-flux": ("shipments", "shipment_lines"),
}
TRACKING_STREAMS: Mapping[str, tuple[str, ...]] = {
    "logistics-kuaidi100": ("waybills", "tracking_events"),
    "logistics-sf": ("waybills", "tracking_events"),
    "tms": ("waybills", "vehicle_positions"),
}


def streams_for(
    job: str, defaults: Mapping[str, tuple[str, ...]], connector: str, streams: Sequence[str] | None
) -> list[str]:
    """``streams`` when given, else the job's defaults for ``connector``; ``ConfigError`` if neither."""
    if streams:
        return list(streams)
    if connector not in defaults:
        raise ConfigError(
            f"{job}: no default streams for connector {connector!r} (known: {', '.join(sorted(defaults))}); "
            "pass streams"
        )
    return list(defaults[connector])


def _run_syncs(jobs: Sequence[tuple[str, str, list[str]]], **common: Any) -> dict[str, Any]:
    """Run ``sync`` once per (connector, config, streams), all of them even if one fails."""
    results: list[dict[str, Any]] = []
    errors: list[str] = []
    for connector, config_path, streams in jobs:
        state = sync(
            connector=connector, config_path=config_path, streams=streams, return_state=True, **common
        )
        try:
            results.append(state.result())
        except Exception as exc:  # noqa: BLE001 - reported together below, after every sync ran
            errors.append(f"{connector}: {exc}")
    if errors:
        raise RuntimeError("; ".join(errors))
    totals = {k: sum(r["totals"][k] for r in results) for k in ("read", "loaded", "rejected", "deleted")}
    return {"totals": totals, "syncs": results}


@flow(name="master-data-sync", validate_parameters=True)
def master_data_sync(
    config_path: str,
    connector: str = "sap-rfc",
    streams: list[str] | None = None,
    full_refresh: bool = False,
    database_url: str | None = None,
    mapping_dirs: list[str] | None = None,
) -> dict[str, Any]:
    """Dealers, product lines, products and units from the ERP (``sap-rfc``, ``oracle-ebs``, ...)."""
    chosen = streams_for("master-data-sync", MASTER_DATA_STREAMS, connector, streams)
    return _run_syncs(
        [(connector, config_path, chosen)],
        full_refresh=full_refresh,
        database_url=database_url,
        mapping_dirs=mapping_dirs,
    )


@flow(name="stock-sync", validate_parameters=True)
def stock_sync(
    config_path: str,
    connector: str = "wms-sftp",
    streams: list[str] | None = None,
    full_refresh: bool = False,
    database_url: str | None = None,
    mapping_dirs: list[str] | None = None,
) -> dict[str, Any]:
    """Stock levels from the WMS (``wms-sftp``, ``wms-flux``) or the ERP's plant stock."""
    chosen = streams_for("stock-sync", STOCK_STREAMS, connector, streams)
    return _run_syncs(
        [(connector, config_path, chosen)],
        full_refresh=full_refresh,
        database_url=database_url,
        mapping_dirs=mapping_dirs,
    )


@flow(name="shipments-sync", validate_parameters=True)
def shipments_sync(
    wms_config_path: str,
    wms_connector: str = "wms-sftp",
    carrier_connector: str | None = None,
    carrier_config_path: str | None = None,
    full_refresh: bool = False,
    database_url: str | None = None,
    mapping_dirs: list[str] | None = None,
) -> dict[str, Any]:
    """Shipments from the WMS, then the carrier's waybills and tracking events (when configured)."""
    jobs = [
        (wms_connector, wms_config_path, streams_for("shipments-sync", SHIPMENT_STREAMS, wms_connector, None))
    ]
    if carrier_connector:
        if not carrier_config_path:
            raise ConfigError(f"shipments-sync: carrier {carrier_connector!r} needs carrier_config_path")
        streams = streams_for("shipments-sync", TRACKING_STREAMS, carrier_connector, None)
        jobs.append((carrier_connector, carrier_config_path, streams))
    return _run_syncs(jobs, full_refresh=full_refresh, database_url=database_url, mapping_dirs=mapping_dirs)
