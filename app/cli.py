"""The `oneplan` command: serve, db upgrade, demo."""

from typing import Annotated

import typer
import uvicorn
from sqlmodel import Session

from app import migrate
from app.config import get_settings
from app.db import build_engine
from app.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, PERSONAS, create_demo

cli = typer.Typer(help="OnePlan: one plan for a child with SEND, written together.", no_args_is_help=True)
db_cli = typer.Typer(help="The database.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Run the web service (127.0.0.1:8000 unless told otherwise)."""
    settings = get_settings()
    uvicorn.run(
        "app.main:app_factory",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        reload=reload,
        proxy_headers=True,
        server_header=False,
    )


@db_cli.command()
def upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply the migrations to the configured database."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url, revision)
    typer.echo(f"Database is at revision {revision}.")


@db_cli.command()
def downgrade(revision: Annotated[str, typer.Argument(help="Target revision, such as -1 or base.")]) -> None:
    """Undo migrations down to a revision."""
    migrate.downgrade(get_settings().resolved_database_url, revision)
    typer.echo(f"Database is at revision {revision}.")


@cli.command()
def demo() -> None:
    """Create the demo organisations and people (idempotent)."""
    engine = build_engine(get_settings())
    with Session(engine) as session:
        organisations = create_demo(session)
        session.commit()
        names = ", ".join(organisation.name for organisation in organisations)
    engine.dispose()
    typer.echo(f"Demo data ready: {names}.")
    typer.echo("People (sign in at /sign-in):")
    for persona in PERSONAS:
        typer.echo(
            f"  {persona.display_name:<14} {persona.role.value:<17} {persona.email or '(sign-in card)'}"
        )
    typer.echo(f"Demo password for everyone with an e-mail address: {DEMO_PASSWORD}")
    typer.echo(f"Staff also enter a code from an authenticator app set up with the key {DEMO_TOTP_SECRET}")


def main() -> None:
    cli()
