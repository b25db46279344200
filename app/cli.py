"""The `oneplan` command: serve, worker, db upgrade, demo, token create, and the audit commands."""

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlmodel import Session

from app import migrate
from app.actor import Actor
from app.config import Environment, Settings, get_settings
from app.db import build_engine, reading_session
from app.errors import Refused
from app.models import Person
from app.services.audit import integrity as audit_integrity
from app.services.audit import reasons as audit_reasons
from app.services.audit import sequencer
from app.services.auth.api_tokens import create_token
from app.services.auth.sign_in import find_by_email
from app.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, PERSONAS, create_demo
from app.services.jobs.worker import Context, Ran, Worker
from app.services.mail import Claimed
from app.services.paper import downloads, transfer
from app.services.paper.transfer import signing as export_signing
from app.services.plans.access import plan_access
from app.services.timelines.reminders import send_reminders

cli = typer.Typer(help="OnePlan: one plan for a child with SEND, written together.", no_args_is_help=True)
db_cli = typer.Typer(help="The database.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")


@contextmanager
def command_session(settings: Settings, *, reading: bool = False) -> Iterator[Session]:
    """A session for one command, its engine closed however the command ends.

    A command that only reads says so: on SQLite it then holds no lock that requests need.
    """
    engine = build_engine(settings)
    try:
        with reading_session(engine) if reading else Session(engine) as session:
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


@cli.command()
def worker(
    once: Annotated[bool, typer.Option(help="Run every job once, then end (tests, cron).")] = False,
) -> None:
    """Run the jobs beside the web service: mail, the audit chain, reminders, checkpoints, housekeeping.

    Run one or more; they share the work through the database and never do a job twice.
    """
    settings = get_settings()
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = build_engine(settings)
    keep = _show_kept if settings.demo_mode else None
    running = Worker(Context(engine, settings, keep=keep))
    try:
        if once:
            for ran in running.run_once():
                typer.echo(f"{ran.job}: {_outcome(ran)}")
            return
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signal_number, lambda _number, _frame: running.stop())
        running.run()
    finally:
        engine.dispose()


def _outcome(ran: Ran) -> str:
    if ran.error:
        return f"failed: {ran.error}"
    return "held by another worker" if ran.held_elsewhere else f"did {ran.done}"


def _show_kept(message: Claimed) -> None:
    """Demo mode with no way of sending mail: the terminal that started the demo stands in for an inbox.

    Whoever reads it already holds the database; the administrator's outbox page never shows content.
    """
    typer.echo(
        f"\n--- E-mail kept in the outbox (demo mode, not sent) ---\nTo: {message.recipient}\n"
        f"Subject: {message.subject}\n\n{message.body.rstrip()}\n---"
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
    if verification.words_erased:
        typer.echo(
            f"Words erased: {_count(verification.words_erased, 'event')} had a typed reason, erased at "
            "the end of its retention (its digest and its place in the chain are still checked)."
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
    """Check the audit chain: exit 0 when whole, 1 naming the first bad event or events left out of it."""
    settings = get_settings()
    with command_session(settings, reading=True) as session:
        verification = audit_integrity.verify_trail(session, settings, checkpoints or [])
        imported = transfer.verify_imported_trails(session)
        overdue = sequencer.waiting_too_long(session)
    _report(verification)
    if verification.problem is not None:
        typer.echo(verification.problem.message, err=True)
        raise typer.Exit(1)
    if imported:
        typer.echo("\n".join(imported), err=True)
        raise typer.Exit(1)
    if overdue:
        bound = sequencer.CHAIN_DELAY_BOUND.total_seconds()
        typer.echo(
            f"{overdue} committed events have waited longer than {bound:g} seconds to join the chain: "
            "is `oneplan worker` running?",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"The audit trail is whole: its head is event {verification.head_sequence}.")


@audit_cli.command("erase-reasons")
def audit_erase_reasons(
    before: Annotated[
        datetime,
        typer.Option(
            formats=["%Y-%m-%d"], help="Erase the reasons of events before this day (UTC), YYYY-MM-DD."
        ),
    ],
) -> None:
    """Erase the typed reasons of older events (the end of their retention); the chain still verifies."""
    settings = get_settings()
    with command_session(settings) as session:
        erased = audit_reasons.erase_reasons(session, Actor.command(), before=before.replace(tzinfo=UTC))
        session.commit()
    typer.echo(f"Erased the typed reasons of {_count(erased, 'event')}; their digests stay in the chain.")


@audit_cli.command("chain")
def audit_chain() -> None:
    """Link every committed event into the chain now (what `oneplan worker` does all the time)."""
    settings = get_settings()
    engine = build_engine(settings)
    try:
        chained = sequencer.chain_pending(engine)
    finally:
        engine.dispose()
    typer.echo(f"Chained {_count(chained, 'event')}.")


@audit_cli.command("checkpoint")
def audit_checkpoint() -> None:
    """Check the events since the latest checkpoint, then write a signed checkpoint of the head (cron)."""
    settings = get_settings()
    with command_session(settings, reading=True) as session:
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
    """Print the public key that checks the signatures of checkpoints (for the LA's auditors) and of plan
    exports (for the councils that import them: ONEPLAN_TRUSTED_EXPORT_KEYS), and its fingerprint."""
    key = audit_integrity.signing_key(get_settings()).public_key()
    typer.echo(f"ed25519 {audit_integrity.public_key_text(key)} (key id {audit_integrity.key_id(key)})")
    fingerprint = export_signing.spaced(export_signing.fingerprint(export_signing.raw_public_key(key)))
    typer.echo(f"Fingerprint (an import of a plan exported from here shows it): {fingerprint}")


plan_cli = typer.Typer(help="Plans: the portable export and import.", no_args_is_help=True)
cli.add_typer(plan_cli, name="plan")


def _person_by_email(session: Session, email: str) -> Person:
    person = find_by_email(session, email)
    if person is None or not person.is_active:
        typer.echo(f"No active person has the e-mail address {email}.", err=True)
        raise typer.Exit(1)
    return person


@plan_cli.command("export")
def plan_export(
    reference: Annotated[str, typer.Argument(help="The plan's reference, such as OP-1001.")],
    file: Annotated[Path, typer.Argument(help="The zip to write.")],
    as_email: Annotated[
        str, typer.Option("--as", help="Whose copy: a member of the plan (what they may see).")
    ],
) -> None:
    """Write a plan's portable export (export.json and its pictures) to a zip (audited)."""
    settings = get_settings()
    with command_session(settings) as session:
        actor = Actor.command(_person_by_email(session, as_email))
        try:
            access = plan_access(session, actor, int(reference.upper().removeprefix("OP-")) - 1000)
            archive = downloads.plan_export(session, settings, actor, access)
        except (ValueError, Refused):
            typer.echo(f"{as_email} has no plan {reference}.", err=True)
            raise typer.Exit(1) from None
        file.write_bytes(archive)
        session.commit()
    typer.echo(f"Wrote {reference} to {file} ({len(archive):,} bytes).")


@plan_cli.command("import")
def plan_import(
    file: Annotated[Path, typer.Argument(help="An export from another OnePlan (zip or JSON).")],
    by_email: Annotated[str, typer.Option("--by", help="Who imports it (recorded in the audit trail).")],
) -> None:
    """Bring in a plan exported by another OnePlan, with its authors, times and audit trails."""
    settings = get_settings()
    with command_session(settings) as session:
        actor = Actor.command(_person_by_email(session, by_email))
        try:
            imported = transfer.import_export(session, settings, actor, file.read_bytes())
        except transfer.ImportProblem as problem:
            typer.echo(f"Not imported: {problem}.", err=True)
            raise typer.Exit(1) from None
        reference = imported.plan.reference
        session.commit()
    typer.echo(imported.signature.describe())
    typer.echo(f"Imported as plan {reference}.")


@cli.command()
def demo() -> None:
    """Create the demo organisations and people (idempotent); never in production."""
    settings = get_settings()
    if settings.environment is Environment.PRODUCTION:
        # The demo's people share one printed password and second-factor key: anyone could sign in.
        typer.echo(
            "oneplan demo does not run in production (ONEPLAN_ENVIRONMENT=production): its people "
            "share a published password. Run it on a development or test copy.",
            err=True,
        )
        raise typer.Exit(1)
    with command_session(settings) as session:
        world = create_demo(session, settings)
        session.commit()
        names = ", ".join(organisation.name for organisation in world.organisations)
        session.commit()  # ends the read above, which on SQLite holds the write lock
        sequencer.chain_pending(session.get_bind().engine)
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


@cli.command()
def reminders() -> None:
    """Send the reminders that are due: steps due within a week or overdue (for cron; sends nothing twice)."""

    settings = get_settings()
    with command_session(settings) as session:
        sent = send_reminders(session, settings)
    typer.echo(f"Sent {_count(len(sent), 'reminder')}.")


def main() -> None:
    cli()
