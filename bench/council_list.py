"""The council's list of every child and plan: its page at 100,000 plans against its page at 100 (issue 19).

    .venv/bin/python bench/council_list.py [--plans 100000] [--clients 16] [--seconds 2] [--rounds 2]

Makes two throw-away OnePlans with the demo (SQLite, the embedded default, or PostgreSQL with
--postgres URL of an empty database per side, see below), grows Northshire's plans by bulk insert to
100 in one and to --plans in the other, serves both side by side with `oneplan serve`, and has --clients
clients at once ask each for the same pages as Morgan Price (the council's case officer): the first
page, a page from the middle of the list (keyset: `after=`), a search for one letter (the start of a
word of many names), a surname (a row or two at 100, a full page at 100,000) and a search that one
child matches. The cases alternate between the two servers (small, large, large, small) so that
other work on a shared machine weighs on both alike. Prints the requests/s of each and the ratio of
the page's time at --plans to its time at 100; the goal (issue 19) is at most 1.2 for every case.
Exits 1 when a goal fails. The servers are stopped by their process ids.

With --postgres, pass two URLs (comma-separated) of empty databases that the bench may migrate.
"""

import argparse
import itertools
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
from serving import ONEPLAN, PROJECT, free_port

sys.path.insert(0, str(PROJECT))

from sqlalchemy import func, insert, text
from sqlmodel import Session, col, select

from app.auth import SESSION_COOKIE
from app.config import Settings
from app.db import build_engine
from app.models import Child, ChildNamePart, Organisation, Plan, PlanKind, PlanStatus, SignInMethod
from app.models.child_names import name_part_rows
from app.services.auth.sessions import start_session
from app.services.demo import NORTHSHIRE, demo_person

GOAL_RATIO = 1.2
"""The list's page at the large size takes at most this many times its time at 100 plans."""
SMALL = 100
TURNS = ("small", "large", "large", "small")
"""A round of turns for each case: machine noise weighs on both sizes alike."""
BATCH = 5_000
FIRST = (
    "Amir Ava Ben Chloe Daniel Ella Finn Grace Harry Isla Jack Jade Kai Lily Leo Maya Noah Olivia Omar "
    "Poppy Ruby Sofia Theo Zara Aisha Callum Erin Felix Hana Ivy Jacob Keira Liam Mia Nathan Orla Priya "
    "Reuben Tariq"
).split()
LAST = (
    "Adams Ahmed Baker Brown Clarke Davies Evans Green Hall Hughes Jones Khan Lewis Martin Morgan Patel "
    "Price Roberts Shah Smith Taylor Thomas Turner Walker White Williams Wilson Wood Wright Young"
).split()
COMMON_SEARCH = "a"
"""The start of a word of one name in seven: 13 rows at 100 plans, a full page at 100,000."""
SURNAME_SEARCH = "wright"
"""A surname one child in thirty has: a row at 100 plans against a full page of 25 at 100,000."""
RARE_SEARCH = "sam t"
"""Only the demo's Sam Taylor."""


def names() -> Iterator[str]:
    """Children's names: every first name with every surname in a fixed shuffled order (so that 100
    children are a fair sample of 100,000), then again with middle initials."""
    pairs = list(itertools.product(FIRST, LAST))
    random.Random(19).shuffle(pairs)
    for initial in itertools.chain([""], (f"{letter}. " for letter in "ABCDEFGHJKLMNPRSTW" * 20)):
        for first, last in pairs:
            yield f"{first} {initial}{last}"


@dataclass
class Side:
    label: str
    plans: int
    env: dict[str, str]
    session: str = ""
    middle: int = 0
    base_url: str = ""


def environment(database_url: str) -> dict[str, str]:
    folder = Path(tempfile.mkdtemp(prefix="oneplan-bench-council-"))
    env = {**os.environ, "ONEPLAN_DATA_DIR": str(folder), "ONEPLAN_DATABASE_URL": database_url}
    subprocess.run([ONEPLAN, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([ONEPLAN, "demo"], env=env, check=True, capture_output=True)
    return env


def grow(side: Side) -> float:
    """Bulk-insert children and SEN Support plans of Northshire's schools up to `side.plans` (seconds)."""
    started = time.perf_counter()
    url = side.env["ONEPLAN_DATABASE_URL"]
    folder = side.env["ONEPLAN_DATA_DIR"]
    settings = Settings(data_dir=folder, database_url=url) if url else Settings(data_dir=folder)
    engine = build_engine(settings)
    with Session(engine) as db:
        council = db.exec(select(Organisation).where(Organisation.name == NORTHSHIRE)).one()
        schools = list(
            db.exec(
                select(Organisation.id).where(
                    col(Organisation.local_authority_id) == council.id, Organisation.kind == "school"
                )
            )
        )
        have = db.exec(
            select(func.count()).select_from(Plan).where(Plan.local_authority_id == council.id)
        ).one()
        next_child = (db.exec(select(func.max(Child.id))).one() or 0) + 1
        next_plan = (db.exec(select(func.max(Plan.id))).one() or 0) + 1
        wanted = side.plans - have
        made = names()
        for start in range(0, wanted, BATCH):
            count = min(BATCH, wanted - start)
            children = [
                {
                    "id": next_child + start + number,
                    "full_name": next(made),
                    "date_of_birth": date(2015, 1 + number % 12, 1 + number % 28),
                    "school_year": "Year 6",
                    "setting_id": schools[number % len(schools)],
                    "local_authority_id": council.id,
                }
                for number in range(count)
            ]
            db.execute(insert(Child), children)
            parts = [
                name_part_rows(child["id"], int(council.id or 0), child["full_name"]) for child in children
            ]
            db.execute(insert(ChildNamePart), [row for rows in parts for row in rows])
            db.execute(
                insert(Plan),
                [
                    {
                        "id": next_plan + start + number,
                        "kind": PlanKind.SEN_SUPPORT.value,
                        "child_id": child["id"],
                        "local_authority_id": council.id,
                        "setting_id": child["setting_id"],
                        "status": PlanStatus.ACTIVE.value,
                    }
                    for number, child in enumerate(children)
                ],
            )
        if engine.dialect.name == "postgresql":  # explicit ids: the sequences move on past them
            for table in ("child", "plan"):
                db.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        if engine.dialect.name == "sqlite":
            db.execute(text("ANALYZE"))
        else:
            db.execute(text("ANALYZE child"))
            db.execute(text("ANALYZE plan"))
            db.execute(text("ANALYZE child_name_part"))
        morgan = demo_person(db, "Morgan Price")
        side.session = start_session(
            db, morgan, SignInMethod.PASSWORD, second_factor_done=True, client_address="bench"
        )
        side.middle = db.exec(
            select(Plan.id)
            .join(Child, col(Child.id) == col(Plan.child_id))
            .where(Plan.local_authority_id == council.id)
            .order_by(col(Child.full_name), col(Plan.id))
            .offset(side.plans // 2)
            .limit(1)
        ).one()
        db.commit()
    engine.dispose()
    return time.perf_counter() - started


@contextmanager
def serving(side: Side) -> Iterator[None]:
    port = free_port()
    server = subprocess.Popen(
        [ONEPLAN, "serve", "--port", str(port)],
        env=side.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    side.base_url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=side.base_url, timeout=30) as client:
            for _ in range(300):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
        yield
    finally:
        server.terminate()
        server.wait(timeout=10)


def rate(side: Side, path: str, clients: int, seconds: float) -> float:
    """Requests per second with `clients` clients at once, each on its own kept-alive connection."""
    cookies = {SESSION_COOKIE: side.session}
    with httpx.Client(base_url=side.base_url, cookies=cookies, timeout=60) as warm:
        warm.get(path).raise_for_status()
    done = [0] * clients
    started = time.perf_counter()

    def keep_asking(number: int) -> None:
        with httpx.Client(base_url=side.base_url, cookies=cookies, timeout=60) as own:
            while time.perf_counter() - started < seconds:
                response = own.get(path)
                response.raise_for_status()
                done[number] += 1

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(keep_asking, range(clients)))
    return sum(done) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=2.0, help="each turn's length")
    parser.add_argument(
        "--rounds", type=int, default=2, help="turns small, large, large, small: how many times"
    )
    parser.add_argument(
        "--postgres", default="", help="two URLs of empty PostgreSQL databases, comma-separated"
    )
    options = parser.parse_args()
    urls = options.postgres.split(",") if options.postgres else ["", ""]
    small = Side(f"{SMALL} plans", SMALL, environment(urls[0]))
    large = Side(f"{options.plans:,} plans", options.plans, environment(urls[1]))
    for side in (small, large):
        print(f"Grew Northshire to {side.label} in {grow(side):.1f} s")
    cases = {
        "first page": "/la/plans",
        "a page from the middle": "/la/plans?after={middle}",
        f"search “{COMMON_SEARCH}” (a letter)": f"/la/plans?q={COMMON_SEARCH}",
        f"search “{SURNAME_SEARCH}” (a surname)": f"/la/plans?q={SURNAME_SEARCH}",
        f"search “{RARE_SEARCH}” (one child)": "/la/plans?q=" + RARE_SEARCH.replace(" ", "+"),
    }
    rates: dict[tuple[str, str], list[float]] = {}
    with ExitStack() as stack:
        stack.enter_context(serving(small))
        stack.enter_context(serving(large))
        for label, path in cases.items():
            for size in TURNS * options.rounds:
                side = small if size == "small" else large
                found = rate(side, path.format(middle=side.middle), options.clients, options.seconds)
                rates.setdefault((label, side.label), []).append(found)
    database = "PostgreSQL" if options.postgres else "SQLite"
    turns = f"{options.rounds * 2} turns of {options.seconds:g} s per case and size, alternating"
    print(f"\n{database}; {options.clients} clients at once; {turns}.")
    print(
        f"{'GET /la/plans':<36}{'req/s at ' + str(SMALL):>14}{'req/s at ' + f'{options.plans:,}':>18}"
        f"{'time ratio':>12}{'goal':>7}"
    )
    failures = []
    for label in cases:
        at_small = sum(rates[(label, small.label)]) / len(rates[(label, small.label)])
        at_large = sum(rates[(label, large.label)]) / len(rates[(label, large.label)])
        ratio = at_small / at_large
        print(f"{label:<36}{at_small:>14.1f}{at_large:>18.1f}{ratio:>12.2f}{GOAL_RATIO:>7}")
        if ratio > GOAL_RATIO:
            failures.append(f"{label}: {ratio:.2f}x the time at {SMALL} plans (goal {GOAL_RATIO})")
    for failure in failures:
        print("GOAL NOT MET:", failure)
    if not failures:
        print(f"PASS: every page of the list within {GOAL_RATIO}x of its time at {SMALL} plans")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
