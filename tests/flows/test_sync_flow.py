"""The generic Prefect ``sync`` flow: a real flow run leaves an artifact with the counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from canonical_model.store.database import create_engine
from canonical_model.store.migrations import upgrade
from flows.artifacts import sync_markdown
from tests.flows.sync_helpers import API_KEY, MAPPINGS

EXPECTED_REJECTS = sum(1 for i in range(1, 91) if i % 7 == 6)


def test_the_markdown_names_counts_quarantine_and_errors_but_no_config() -> None:
    entry = {
        "stream": "items",
        "entity": "stock_levels",
        "status": "failed",
        "read": 10,
        "loaded": 7,
        "rejected": 3,
        "deleted": 0,
        "inserted": 7,
        "updated": 0,
        "seconds_read": 0.1,
        "seconds_map": 0.1,
        "seconds_load": 0.1,
        "error": "AuthenticationError: sample rejected the key",
        "run_id": "r1",
    }
    text = sync_markdown("sample", [entry])
    assert "| items | stock_levels | failed | 10 | 7 | 3 | 0 | 7 | 0 | 0.30 | r1 |" in text
    assert "dmshub quarantine list --connector sample --stream items" in text
    assert "AuthenticationError: sample rejected the key" in text


@pytest.mark.usefixtures("prefect_harness")
def test_a_flow_run_syncs_and_leaves_its_artifact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.sync_flow import sync

    url = f"sqlite:///{tmp_path}/hub.sqlite"
    upgrade(create_engine(url))
    config = tmp_path / "sample.yaml"
    config.write_text("count: 90\npage_size: 25\napi_key: {$env: SAMPLE_KEY}\n", encoding="utf-8")
    monkeypatch.setenv("SAMPLE_KEY", API_KEY)

    result = sync(connector="sample", config_path=str(config), database_url=url, mapping_dirs=[str(MAPPINGS)])

    assert result["totals"] == {
        "read": 90,
        "loaded": 90 - EXPECTED_REJECTS,
        "rejected": EXPECTED_REJECTS,
        "deleted": 0,
    }
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["sync-sample"]))
        )
    assert artifacts, "the flow run left no artifact"
    markdown = str(artifacts[0].data)
    assert (
        f"| items | stock_levels | succeeded | 90 | {90 - EXPECTED_REJECTS} | {EXPECTED_REJECTS} |"
        in markdown
    )
    assert API_KEY not in markdown
