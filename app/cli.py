"""The `oneplan` command: serve, db upgrade, demo, token create, audit verify and checkpoint."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlmodel import Session

from app import migrate
from app.actor import Actor
from app.config import Settings, get_settings
from app.db import build_engine
from app.services import audit_integrity
from app.services.auth.api_tokens import create_token
from app.services.auth.sign_in import find_by_email
from app.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, PERSONAS, create_demo

cli = typer.Typer(help="OnePlan: one plan for a child with SEND, written together.", no_args_is_help=True)
db_cli = typer.Typer(help="The database.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")


@contextmanager
def command_session(settings: Settings) -> Iterator[Session]:
    """A session for one command, its engine closed however the command ends."""
    engine = build_engine(settings)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


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


token_cli = typer.Typer(help="API tokens.", no_args_is_help=True)
cli.add_typer(token_cli, name="token")


@token_cli.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="Whose token: it acts with their rights.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "command line",
) -> None:
    """Print a new API bearer token for that person (shown once)."""
    with command_session(get_settings()) as session:
        person = find_by_email(session, email)
        if person is None or not person.is_active:
            typer.echo(f"No active person has the e-mail address {email}.", err=True)
            raise typer.Exit(1)
        _token, secret = create_token(session, Actor.command(), person, name)
        session.commit()
    typer.echo(secret)


audit_cli = typer.Typer(
    help="The audit trail: its hash chain and its signed checkpoints.", no_args_is_help=True
)
cli.add_typer(audit_cli, name="audit")


def _count(number: int, thing: str) -> str:
    return f"{number:,} {thing}" if number == 1 else f"{number:,} {thing}s"


def _report(verification: audit_integrity.Verification) -> None:
    checkpoints = (
        f" against {_count(verification.checkpoints, 'checkpoint')}" if verification.checkpoints else ""
    )
    typer.echo(
        f"Checked {_count(verification.events, 'event')}{checkpoints} in {verification.seconds:.2f} s "
        f"({verification.events_per_second:,.0f} events a second)."
    )


@audit_cli.command("verify")
def audit_verify(
    checkpoints: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoints",
            help="A folder of checkpoints to check against (repeatable); the configured folder if none.",
        ),
    ] = None,
) -> None:
    """Check the audit chain: exit 0 when whole, 1 naming the first bad event."""
    settings = get_settings()
    with command_session(settings) as session:
        verification = audit_integrity.verify_trail(session, settings, checkpoints or [])
    _report(verification)
    if verification.problem is not None:
        typer.echo(verification.problem.message, err=True)
        raise typer.Exit(1)
    typer.echo(f"The audit trail is whole: its head is event {verification.head_sequence}.")


@audit_cli.command("checkpoint")
def audit_checkpoint() -> None:
    """Check the events since the latest checkpoint, then write a signed checkpoint of the head (cron)."""
    settings = get_settings()
    with command_session(settings) as session:
        made = audit_integrity.make_checkpoint(session, settings)
    _report(made.verification)
    problem = made.verification.problem
    if problem is not None:
        typer.echo(f"No checkpoint was made. {problem.message}", err=True)
        raise typer.Exit(1)
    if made.checkpoint is None:
        typer.echo("No checkpoint was made: the audit trail has no events yet.")
        return
    if not made.new:
        typer.echo(
            f"No events since the checkpoint of event {made.checkpoint.sequence}: {made.checkpoint.source}"
        )
        return
    typer.echo(f"Checkpoint of event {made.checkpoint.sequence}: {made.checkpoint.source}")


@audit_cli.command("public-key")
def audit_public_key() -> None:
    """Print the public key that checks the checkpoints' signatures (for the LA's auditors)."""
    key = audit_integrity.signing_key(get_settings()).public_key()
    typer.echo(f"ed25519 {audit_integrity.public_key_text(key)} (key id {audit_integrity.key_id(key)})")


@cli.command()
def demo() -> None:
    """Create the demo organisations and people (idempotent)."""
    settings = get_settings()
    with command_session(settings) as session:
        world = create_demo(session, settings)
        session.commit()
        names = ", ".join(organisation.name for organisation in world.organisations)
    typer.echo(f"Demo data ready: {names}.")
    typer.echo("People (sign in at /sign-in):")
    for persona in PERSONAS:
        typer.echo(
            f"  {persona.display_name:<14} {persona.role.value:<17} {persona.email or '(sign-in card)'}"
        )
    typer.echo(f"Demo password for everyone with an e-mail address: {DEMO_PASSWORD}")
    typer.echo(f"Staff also enter a code from an authenticator app set up with the key {DEMO_TOTP_SECRET}")
    typer.echo(f"Sam's sign-in card (new at every run): {world.sam_card.link(settings.public_url)}")
    typer.echo(f"Sam's pictures, in order: {', '.join(world.sam_card.pictures)}")


def main() -> None:
    cli()
