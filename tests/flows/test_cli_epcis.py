"""`dmshub epcis export/import`, `dmshub trace commission` and `dmshub alerts` on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from canonical_model.store.database import create_engine
from canonical_model.store.migrations import upgrade
from dms_core.epcis import validate_document
from tests.dms_core.tracing.world import MILK_GTIN, load_world
from tests.flows.test_cli_errors import dmshub


def test_commission_export_import_and_alerts_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.sqlite"
    engine = create_engine(url)
    upgrade(engine)
    load_world(engine)
    engine.dispose()
    codes = tmp_path / "codes.csv"
    codes.write_text(
        "code,lot,expiry\n"
        + "".join(f"https://id.gs1.org/01/{MILK_GTIN}/21/C{n},L1,2027-01-31\n" for n in range(3)),
        encoding="utf-8",
    )
    env = {"DMSHUB_DATABASE_URL": url}
    done = dmshub("trace", "commission", str(codes), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "commissioned 3 code(s) in 1 event(s)" in done.stdout

    out = tmp_path / "out.json"
    exported = dmshub("epcis", "export", "--since", "2000-01-01", "-o", str(out), cwd=tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    validate_document(document)
    assert document["epcisBody"]["eventList"][0]["ilmd"] == {
        "cbvmda:lotNumber": "L1",
        "cbvmda:itemExpirationDate": "2027-01-31",
    }

    again = dmshub("epcis", "import", str(out), cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert "1 event(s), 0 new, 1 already recorded" in again.stdout

    broken = tmp_path / "broken.json"
    document["epcisBody"]["eventList"][0]["action"] = "MOVE"
    broken.write_text(json.dumps(document), encoding="utf-8")
    refused = dmshub("epcis", "import", str(broken), cwd=tmp_path, env=env)
    assert refused.returncode == 2
    assert "'MOVE' is not one of" in refused.stderr and "Traceback" not in refused.stderr

    nothing = dmshub("epcis", "export", cwd=tmp_path, env=env)
    assert nothing.returncode == 2 and "say what to export" in nothing.stderr
    listed = dmshub("alerts", "list", "--json", cwd=tmp_path, env=env)
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
    unknown = dmshub("alerts", "resolve", "AL-nope", "--by", "li", cwd=tmp_path, env=env)
    assert unknown.returncode == 2 and "no alert 'AL-nope'" in unknown.stderr
    with create_engine(url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM trace_codes")).scalar() == 3
