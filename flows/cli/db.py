"""``dmshub db``: create and migrate the canonical store."""

from __future__ import annotations

import typer

from canonical_model.store.database import database_errors, redacted_url
from canonical_model.store.migrations import current_revision, downgrade, head_revision, upgrade
from flows.cli.context import open_engine, print_json, state_of

app = typer.Typer(help="Create and migrate the canonical store (Alembic migrations).", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(
    ctx: typer.Context,
    revision: str = typer.Argument("head", help="Target revision (default: the newest)."),
) -> None:
    """Migrate the store up to REVISION, creating it if it does not exist yet."""
    engine = open_engine(ctx, require_migrated=False)
    with database_errors(engine.url):
        before = current_revision(engine)
        upgrade(engine, revision)
        after = current_revision(engine)
    state_of(ctx).console.print(
        f"database {redacted_url(engine.url)}: {before or 'empty'} → [bold]{after}[/bold]"
    )


@app.command("downgrade")
def downgrade_cmd(
    ctx: typer.Context,
    revision: str = typer.Argument(..., help="Target revision; 'base' drops every table."),
) -> None:
    """Migrate the store down to REVISION."""
    engine = open_engine(ctx, require_migrated=False)
    with database_errors(engine.url):
        downgrade(engine, revision)
        after = current_revision(engine)
    state_of(ctx).console.print(f"database {redacted_url(engine.url)} now at {after or 'base (empty)'}")


@app.command("status")
def status_cmd(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show the store's URL (password hidden), its revision and the code's head revision."""
    engine = open_engine(ctx, require_migrated=False)
    with database_errors(engine.url):
        current = current_revision(engine)
    info = {
        "url": redacted_url(engine.url),
        "current": current,
        "head": head_revision(),
        "up_to_date": current == head_revision(),
    }
    if as_json:
        print_json(info)
    else:
        state_of(ctx).console.print(
            f"{info['url']}: at {current or 'empty'}, head {info['head']}"
            + ("" if info["up_to_date"] else " — run `dmshub db upgrade`")
        )
