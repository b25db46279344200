"""The audit trail at a million events on PostgreSQL: the officer's pages, the CSV export and verify.

    ONEPLAN_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/audit.py [--events 1000000]

Makes a throw-away database on that server (dropped at the end), migrates it, seeds one council
with plans, people and a hash-chained trail of N events (COPY, hashes as `record` makes them), then
starts `oneplan serve` and prints, in one run: the median time of the LA audit page's first page,
a deep page (keyset), filtered pages and the API against /healthz; the CSV export's time and the
server's peak memory while it streams every event; and `oneplan audit verify`'s events per second.
"""

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session, col, select

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from app.actor import Actor  # noqa: E402
from app.auth import SESSION_COOKIE  # noqa: E402
from app.clock import uk_today  # noqa: E402
from app.models import (  # noqa: E402
    CONTRIBUTING_ACTIONS,
    Channel,
    Child,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanStatus,
    SignInMethod,
)
from app.models.base import id_of  # noqa: E402
from app.services import audit  # noqa: E402
from app.services.auth.api_tokens import create_token  # noqa: E402
from app.services.auth.sessions import start_session  # noqa: E402

ONEPLAN = str(PROJECT / ".venv/bin/oneplan")
PLANS = 2_000
STAFF = 400
REQUESTS = 20
ACTIONS = [
    ("plan.read", 50),
    ("item.read", 10),
    ("item.added", 10),
    ("item.revised", 15),
    ("comment.added", 8),
    ("plan.changes_read", 4),
    ("member.added", 2),
    ("plan.refused", 1),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    name = f"oneplan_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed_world(db: Session) -> tuple[Person, list[Person], list[Plan]]:
    """One council (and its neighbour), its schools, staff and families, and its plans."""
    council = Organisation(name="Benchshire County Council", kind=OrganisationKind.LOCAL_AUTHORITY)
    neighbour = Organisation(name="Elsewhere Borough Council", kind=OrganisationKind.LOCAL_AUTHORITY)
    db.add_all([council, neighbour])
    db.flush()
    schools = [
        Organisation(name=f"School {n}", kind=OrganisationKind.SCHOOL, local_authority_id=council.id)
        for n in range(40)
    ]
    db.add_all(schools)
    db.flush()
    officer = Person(
        display_name="Rita Bench",
        email="rita@bench.example",
        role=PersonRole.LA_AUDIT_OFFICER,
        organisation_id=council.id,
    )
    staff = [
        Person(
            display_name=f"Teacher {n}",
            email=f"teacher{n}@bench.example",
            role=PersonRole.EDUCATION,
            organisation_id=schools[n % len(schools)].id,
        )
        for n in range(STAFF)
    ]
    families = [
        Person(display_name=f"Parent {n}", email=f"parent{n}@bench.example", role=PersonRole.PARENT_CARER)
        for n in range(STAFF)
    ]
    db.add_all([officer, *staff, *families])
    db.flush()
    plans = []
    for n in range(PLANS):
        local_authority = council if n % 10 else neighbour
        child = Child(
            full_name=f"Child {n}",
            date_of_birth=date(2015, 1, 1),
            school_year="Year 5",
            local_authority_id=id_of(local_authority),
        )
        db.add(child)
        db.flush()
        plan = Plan(
            kind=PlanKind.SEN_SUPPORT,
            child_id=id_of(child),
            local_authority_id=id_of(local_authority),
            status=PlanStatus.ACTIVE,
        )
        db.add(plan)
        plans.append(plan)
    db.flush()
    return officer, staff + families, plans


COLUMNS = ["id", "hash", *audit.CHAINED_FIELDS]


def seed_events(url: str, count: int, people: list[Person], plans: list[Plan]) -> float:
    """Events as `record` makes them (chained, hashed), written with COPY; returns the seconds."""
    import psycopg

    random.seed(6)
    actions = [action for action, weight in ACTIONS for _ in range(weight)]
    start = datetime.now(UTC) - timedelta(days=730)
    step = timedelta(days=730) / count
    started = time.perf_counter()
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as connection, connection.cursor() as cursor:
        # The chain goes on from what the seeding already recorded (a sign-in, a token).
        cursor.execute("SELECT sequence, hash FROM audit_event ORDER BY sequence DESC LIMIT 1")
        head = cursor.fetchone()
        first, prev_hash = (head[0] + 1, head[1]) if head else (1, audit.GENESIS_HASH)
        cursor.execute("SELECT coalesce(max(id), 0) FROM audit_event")
        id_offset = cursor.fetchone()[0] - first + 1  # type: ignore[index]
        columns = ", ".join(COLUMNS)
        with cursor.copy(f"COPY audit_event ({columns}) FROM STDIN") as copy:
            for sequence in range(first, first + count):
                person = random.choice(people)
                plan = random.choice(plans)
                action = random.choice(actions)
                fields = {
                    "sequence": sequence,
                    "prev_hash": prev_hash,
                    "occurred_at": start + step * sequence,
                    "actor_id": person.id,
                    "actor_role": person.role.value,
                    "actor_organisation_id": person.organisation_id,
                    "action": action,
                    "object_type": "plan",
                    "object_id": str(plan.id),
                    "plan_id": plan.id,
                    "channel": "page",
                    "client_address": f"10.0.{sequence % 250}.{sequence % 200}",
                    "request_id": uuid.UUID(int=sequence).hex,
                    "outcome": "refused" if action == "plan.refused" else "done",
                    "reason": "Not Found" if action == "plan.refused" else None,
                    "details": {"plan_id": plan.id, "version": 1},
                }
                prev_hash = audit.hash_of(fields)
                row = [sequence + id_offset, prev_hash, *(fields[name] for name in audit.CHAINED_FIELDS)]
                row[COLUMNS.index("details")] = f'{{"plan_id": {plan.id}, "version": 1}}'
                copy.write_row(row)
        cursor.execute("SELECT setval('audit_event_id_seq', (SELECT max(id) FROM audit_event))")
        # What `record` keeps beside each contribution, rebuilt for the copied events in one go.
        cursor.execute(
            "INSERT INTO plan_contribution (plan_id, organisation_id, contributions, last_at)"
            " SELECT plan_id, actor_organisation_id, count(*), max(occurred_at) FROM audit_event"
            " WHERE outcome = 'done' AND action = ANY(%s) AND plan_id IS NOT NULL"
            " AND actor_organisation_id IS NOT NULL GROUP BY plan_id, actor_organisation_id"
            " ON CONFLICT (plan_id, organisation_id) DO UPDATE"
            " SET contributions = excluded.contributions, last_at = excluded.last_at",
            (sorted(CONTRIBUTING_ACTIONS),),
        )
        connection.commit()
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def median_ms(client: httpx.Client, path: str, **options: object) -> float:
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path, **options)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return statistics.median(timings)


def peak_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) if match else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    arguments = parser.parse_args()
    server_url = os.environ.get("ONEPLAN_BENCH_POSTGRES_URL") or os.environ.get("ONEPLAN_TEST_POSTGRES_URL")
    if not server_url:
        print("Set ONEPLAN_BENCH_POSTGRES_URL to a PostgreSQL server (a user who may create databases).")
        return 2
    with throwaway_database(server_url) as url:
        env = {
            **os.environ,
            "ONEPLAN_DATABASE_URL": url,
            "ONEPLAN_DATA_DIR": f"/tmp/oneplan-bench-{os.getpid()}",
        }
        subprocess.run([ONEPLAN, "db", "upgrade"], env=env, check=True, capture_output=True)
        engine = create_engine(url)
        with Session(engine) as db:
            officer, people, plans = seed_world(db)
            cookie = start_session(
                db, officer, SignInMethod.PASSWORD, second_factor_done=True, client_address="bench"
            )
            _token, bearer = create_token(db, Actor(person=None, channel=Channel.COMMAND), officer, "bench")
            db.commit()
            people = list(
                db.exec(select(Person).where(col(Person.role) != PersonRole.LA_AUDIT_OFFICER.value))
            )
            plans = list(db.exec(select(Plan)))
            db.expunge_all()
        engine.dispose()
        seconds = seed_events(url, arguments.events, people, plans)
        rate = arguments.events / seconds
        print(f"Seeded {arguments.events:,} chained events in {seconds:.0f} s ({rate:,.0f} a second).")

        port = free_port()
        server = subprocess.Popen(
            [ONEPLAN, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
                for _ in range(150):
                    try:
                        if client.get("/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.1)
                client.cookies.set(SESSION_COOKIE, cookie)
                api = {"Authorization": f"Bearer {bearer}"}
                plan = plans[1]
                timings = {
                    "GET /healthz": median_ms(client, "/healthz"),
                    "/audit (first page)": median_ms(client, "/audit"),
                    "/audit?before=1000 (deep page)": median_ms(client, "/audit?before=1000"),
                    "/audit?before=N/2 (middle page)": median_ms(
                        client, f"/audit?before={arguments.events // 2}"
                    ),
                    "/audit?plan=... (one plan)": median_ms(
                        client, f"/audit?plan=OP-{1000 + (plan.id or 0)}"
                    ),
                    "/audit?person=...&action=reads": median_ms(
                        client, "/audit?person=teacher7@bench.example&action=reads"
                    ),
                    "/audit?organisation=...&from...to (one school, one month)": median_ms(
                        client,
                        f"/audit?organisation={people[3].organisation_id}&from-day=1&from-month=3&from-year="
                        f"{uk_today().year}&to-day=31&to-month=3&to-year={uk_today().year}",
                    ),
                    "/audit/contributions (25 plans)": median_ms(client, "/audit/contributions"),
                    "/audit/contributions?quiet=1": median_ms(client, "/audit/contributions?quiet=1"),
                    "/api/v1/audit?limit=50": median_ms(client, "/api/v1/audit?limit=50", headers=api),
                    "/api/v1/audit?action=refusals": median_ms(
                        client, "/api/v1/audit?action=refusals", headers=api
                    ),
                }
                print(f"\nMedian of {REQUESTS} requests, {arguments.events:,} events:")
                for label, ms in timings.items():
                    print(f"  {label:<62} {ms:8.1f} ms")

                pid = server.pid  # one worker: the server process itself
                before = peak_kib(pid)
                started = time.perf_counter()
                rows = 0
                size = 0
                with client.stream("GET", "/audit/export.csv") as response:
                    response.raise_for_status()
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        rows += chunk.count(b"\n")
                export_seconds = time.perf_counter() - started
                after = peak_kib(pid)
                print(
                    f"\nCSV export of every event of the council: {rows - 1:,} rows, {size / 1e6:,.0f} MB in "
                    f"{export_seconds:.0f} s ({(rows - 1) / export_seconds:,.0f} rows/s); server peak memory "
                    f"{before / 1024:,.0f} MiB before, {after / 1024:,.0f} MiB after"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)

        verified = subprocess.run([ONEPLAN, "audit", "verify"], env=env, capture_output=True, text=True)
        print(f"\noneplan audit verify (exit {verified.returncode}): {verified.stdout.strip()}")
        print(verified.stderr.strip(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
