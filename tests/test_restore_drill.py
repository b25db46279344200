"""The restore drill of docs/operations.md, played on a real PostgreSQL server.

Writes are under way (and the sequencer linking their audit events, as `oneplan worker` does) while
pg_dump runs; the dump is restored into a new database; `oneplan audit
verify` finds the restored trail whole and every write acknowledged before the backup began is
there; a checkpoint made on the live database after the backup shows the restored one lacks the tail.
"""

import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app import migrate
from app.actor import Actor
from app.cli import cli
from app.config import Environment, Settings, get_settings
from app.db import build_engine
from app.models import Item, ItemComment, MemberRole, Person
from app.models.base import id_of
from app.services.audit import sequencer
from app.services.plans import items
from app.services.plans.access import plan_access
from tests.databases import POSTGRES_URL_VARIABLE, fresh_database, on_postgres
from tests.plan_factories import add_items, coordinator_of, make_plan

pytestmark = pytest.mark.skipif(
    not on_postgres(),
    reason=f"the drill backs up and restores a PostgreSQL database (set {POSTGRES_URL_VARIABLE})",
)

BEFORE_BACKUP = 30
"""Comments acknowledged before the backup starts."""
AFTER_BACKUP = 15
"""Comments acknowledged after it ends: the tail the restored database lacks."""


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def server_bin(url: str) -> Path:
    """The client programs of the server's own major version (pg_dump refuses a newer server)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    engine.dispose()
    folder = Path(f"/usr/lib/postgresql/{version // 10000}/bin")
    if not (folder / "pg_dump").exists():
        pytest.skip(f"no pg_dump of the server's version in {folder}")
    return folder


@dataclass
class Acknowledged:
    """Comment ids in the order their commits returned, and any writer's failure."""

    ids: list[int] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def add(self, comment_id: int) -> None:
        with self.changed:
            self.ids.append(comment_id)
            self.changed.notify_all()

    def fail(self, error: BaseException) -> None:
        with self.changed:
            self.failures.append(error)
            self.changed.notify_all()

    def wait_for(self, count: int) -> None:
        with self.changed:
            self.changed.wait_for(lambda: len(self.ids) >= count or bool(self.failures))
        assert not self.failures, self.failures

    def so_far(self) -> set[int]:
        with self.changed:
            return set(self.ids)


@contextmanager
def writers_under_way(
    settings: Settings, plan_id: int, item_id: int, people: list[int]
) -> Iterator[Acknowledged]:
    """Members comment through the service layer, one transaction a comment, until the block ends."""
    engine = build_engine(settings)
    stop = threading.Event()
    acknowledged = Acknowledged()

    def write(person_id: int) -> None:
        number = 0
        try:
            while not stop.is_set():
                number += 1
                with Session(engine) as db:
                    person = db.get(Person, person_id)
                    assert person is not None
                    actor = Actor.command(person)
                    access = plan_access(db, actor, plan_id)
                    item = db.get(Item, item_id)
                    assert item is not None
                    comment = items.add_comment(db, actor, access, item, f"Comment {number} by {person_id}")
                    db.commit()
                    acknowledged.add(id_of(comment))
        except BaseException as error:
            acknowledged.fail(error)

    def chain() -> None:
        """What `oneplan worker` does in production: link committed events into the chain, again and again."""
        try:
            while not stop.wait(0.2):
                sequencer.chain_pending(engine)
        except BaseException as error:
            acknowledged.fail(error)

    threads = [threading.Thread(target=write, args=(person,)) for person in people]
    threads.append(threading.Thread(target=chain))
    for thread in threads:
        thread.start()
    try:
        yield acknowledged
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        engine.dispose()
    assert not acknowledged.failures, acknowledged.failures


def oneplan(url: str, folder: Path, *args: str) -> tuple[int, str]:
    """Run a `oneplan` command against the database at `url` (the checkpoints in `folder`)."""
    environment = {
        "ONEPLAN_DATABASE_URL": url,
        "ONEPLAN_DATA_DIR": str(folder),
        "ONEPLAN_AUDIT_CHECKPOINT_DIR": str(folder / "checkpoints"),
        "ONEPLAN_SECRET_KEY": "the drill's own secret, the same for both databases",
    }
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, list(args), env=environment)
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


def test_backup_under_load_restores_whole_and_a_later_checkpoint_shows_the_missing_tail(
    tmp_path: Path,
) -> None:
    with fresh_database(tmp_path) as live_url, fresh_database(tmp_path) as restored_url:
        programs = server_bin(live_url)
        migrate.upgrade(live_url)
        settings = Settings(environment=Environment.TEST, database_url=live_url, data_dir=tmp_path)
        engine = build_engine(settings)
        with Session(engine) as db:
            plan, members = make_plan(db)
            (item,) = add_items(db, plan, 1)
            writers = [coordinator_of(db, plan), members[MemberRole.PARENT_CARER], members[MemberRole.HEALTH]]
            ids = (id_of(plan), id_of(item), [id_of(person) for person in writers])
            db.commit()
        engine.dispose()

        dump = tmp_path / "oneplan.dump"
        with writers_under_way(settings, *ids) as acknowledged:
            acknowledged.wait_for(BEFORE_BACKUP)
            before_backup = acknowledged.so_far()
            subprocess.run(
                [
                    programs / "pg_dump",
                    "--format=custom",
                    f"--file={dump}",
                    f"--dbname={libpq_url(live_url)}",
                ],
                check=True,
            )
            acknowledged.wait_for(len(acknowledged.so_far()) + AFTER_BACKUP)

        subprocess.run(
            [
                programs / "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={libpq_url(restored_url)}",
                dump,
            ],
            check=True,
        )

        # The restored trail is whole (once the events that were waiting to join the chain when the
        # dump was taken have joined it), and holds every write acknowledged before the backup started.
        assert oneplan(restored_url, tmp_path, "audit", "chain")[0] == 0
        status, output = oneplan(restored_url, tmp_path, "audit", "verify")
        assert status == 0, output
        assert "The audit trail is whole" in output
        restored_engine = create_engine(restored_url)
        with Session(restored_engine) as db:
            restored = set(db.exec(select(col(ItemComment.id))).all())
        restored_engine.dispose()
        assert before_backup <= restored
        assert len(acknowledged.ids) > len(restored)  # writes went on after the backup

        # A checkpoint made on the live database after the backup: the live trail matches it; the
        # restored one is found to lack the events after the backup.
        assert oneplan(live_url, tmp_path, "audit", "chain")[0] == 0
        status, output = oneplan(live_url, tmp_path, "audit", "checkpoint")
        assert status == 0, output
        assert oneplan(live_url, tmp_path, "audit", "verify")[0] == 0
        status, output = oneplan(restored_url, tmp_path, "audit", "verify")
        assert status == 1
        assert "events were removed from the end" in output
