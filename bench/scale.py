"""Scale-out on PostgreSQL: many clients, 1 and 2 app processes, the audit chain's lag (issue 15).

    .venv/bin/python bench/scale.py [--clients 16] [--seconds 10] [--plans 1000] [--items 300]

In one run, bounded in time (every phase has a fixed length and stops by itself):
- starts a throw-away PostgreSQL on loopback (initdb in a temporary folder, fsync off; as root the
  server runs as the postgres user, as in scripts/test), migrates it and makes the demo;
- grows Sam's plan to 300 items through the services (bench/plan_page.py's seeding) and writes
  1,000 more plans of one need each, of 16 SENCos of 16 schools, in batches (see seed_many_plans);
- starts `oneplan serve` with 1 and with 2 worker processes, side by side (and `oneplan worker`
  beside them when that command exists), and drives the concurrent clients through each case for
  a fixed time, alternating between the two servers (1, 2, 2, 1) so that other work on a shared
  machine weighs on both alike: /healthz, the 300-item plan page, its plan API and reading 1,000
  different plans (each with a token of its SENCo) sent by wrk (bench/wrk_load.py: a client in C,
  so that the load takes little of the cores the servers share), then comments and item edits
  with If-Match sent by Python clients (an edit needs the ETag its GET answered);
- samples the audit chain's lag (the age of the oldest event not yet chained: `sequence IS NULL`)
  during the load, then runs `oneplan audit verify`;
- prints per case requests/s, the ratio to /healthz of the same server, p50/p99, errors,
  requests left unanswered within --timeout, how busy the machine's cores were and the shares of
  that CPU taken by the app processes, PostgreSQL and the load; then the issue's goals, PASS or
  FAIL each.
Exits 1 when a goal fails. Everything it starts is stopped by its process id, also on Ctrl-C.
"""

import argparse
import asyncio
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import wrk_load
from plan_page import seed_large_plan
from serving import PROJECT, free_port

sys.path.insert(0, str(PROJECT))

from sqlalchemy import create_engine, text
from sqlmodel import Session

from app.actor import Actor
from app.auth import SESSION_COOKIE
from app.config import Settings
from app.db import build_engine
from app.models import (
    SECTION_KIND,
    AreaOfNeed,
    Child,
    CycleStage,
    Item,
    ItemRevision,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
    PlanStatus,
    Section,
    SignInMethod,
)
from app.models.base import id_of
from app.permissions import COORDINATOR_ROLES
from app.services.auth.api_tokens import create_token
from app.services.auth.sessions import start_session
from app.services.demo import NORTHSHIRE, demo_person
from app.services.organisations import ensure_organisation

# The goals, as it states them.
GOAL_PAGE_RATIO = 0.5
"""The 300-item plan page, with 16 clients, at least this share of /healthz's rate."""
GOAL_SPEED_UP = 1.5
"""Reading 1,000 different plans with 2 processes, at least this many times the rate with 1."""
GOAL_LAG_P99 = 2.0
"""Seconds: the 99th percentile of the chain's lag."""
GOAL_CLIENTS = 16
SCHOOLS = 16
LAG_SAMPLE_EVERY = 0.2
PROCESSES = (1, 2)
ROUNDS = ((1, 2), (2, 1))
"""Both servers run side by side; each case alternates between them (1, 2, 2, 1), half its time a round,
so that other work on a shared machine weighs on both alike."""
# The cases measured against each server (their names filled in from the options).
HEALTH, PAGE, API, READS = (
    "GET /healthz",
    "plan page, {items} items",
    "plan API, {items} items",
    "read {plans} plans (API)",
)
NEED = "Reads accurately but understands what he reads about two years behind his age."


def oneplan(*arguments: str) -> list[str]:
    """`oneplan ...` with this checkout's `app` (works from a worktree without its own .venv)."""
    return [sys.executable, "-c", "from app.cli import main; main()", *arguments]


# A throw-away PostgreSQL ------------------------------------------------------------------------


@contextmanager
def throwaway_postgres(work: Path) -> Iterator[tuple[str, int]]:
    """initdb into `work`, serve on a free loopback port with fsync off; stopped (by its PID) at the end."""
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
    if not binaries:
        sys.exit("No PostgreSQL in /usr/lib/postgresql: run scripts/test once (it installs it).")
    pgbin = binaries[-1]
    data = work / "pg"
    data.mkdir()
    as_postgres: list[str] = []
    if os.getuid() == 0:  # initdb refuses to run as root: the server runs as the postgres user
        work.chmod(0o711)
        shutil.chown(data, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data.chmod(0o700)
    initdb = [str(pgbin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    subprocess.run([*as_postgres, *initdb, "--locale=C.UTF-8"], check=True, capture_output=True)
    port = free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB"
    )
    pg_ctl = [str(pgbin / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w"]
    subprocess.run([*as_postgres, *pg_ctl, "-o", options, "start"], check=True, capture_output=True)
    pid = int((data / "postmaster.pid").read_text().split()[0])
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", pid
    finally:
        stop(pid, how=signal.SIGINT)  # PostgreSQL's fast shutdown


def stop(pid: int, *, how: signal.Signals = signal.SIGTERM, wait: float = 15) -> None:
    """Stop one process we started, by its id; kill it if it has not gone within `wait` seconds."""
    try:
        os.kill(pid, how)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if not alive(pid):
            return
        try:  # reap it if it is our child
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def alive(pid: int) -> bool:
    """Running (a process that has ended but is not yet reaped by its parent counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


@contextmanager
def started(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A process of ours until the block ends (in its own session, so Ctrl-C reaches only us)."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=env, cwd=PROJECT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        stop(process.pid)
        process.wait(timeout=5)
        try:  # anything it started and left behind (uvicorn's worker processes) is in its group
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# The data: the demo, a 300-item plan, 1,000 plans of 16 SENCos -----------------------------------


@dataclass
class Client:
    """What one client reads and writes in the many plans, each with the bearer token of its SENCo."""

    reads: list[tuple[str, int]] = field(default_factory=list)
    """(token, plan)"""
    writes: list[tuple[str, int, int]] = field(default_factory=list)
    """(token, plan, item): no other client writes in these items, so no edit should meet a 412."""


@dataclass
class World:
    big_plan: int
    page_sessions: list[str]
    """Session cookies for Priya (the big plan's coordinator), one per client."""
    api_tokens: list[str]
    """Bearer tokens for Priya, one per client."""
    clients: list[Client]
    """Between them, the clients read every one of the many plans."""


def seed_many_plans(url: str, data_dir: Path, plans: int, clients: int) -> list[Client]:
    """SEN Support plans of SCHOOLS SENCos, each with one need, written in batches straight into the tables.

    The rows are the ones `create_plan` and `add_item` make (child, plan, the SENCo as coordinator, the
    item and its first revision), without an audit event each: through the services, 1,000 plans took
    most of the run's time, one audited write after another. What the clients then do is audited as usual.
    Client n takes plans n, n + clients, n + 2 clients, ..., with a token of each plan's SENCo.
    """
    settings = Settings(data_dir=data_dir, database_url=url)
    engine = build_engine(settings)
    with Session(engine) as db:
        council = ensure_organisation(db, NORTHSHIRE, OrganisationKind.LOCAL_AUTHORITY)
        schools = [
            ensure_organisation(db, f"Bench School {number}", OrganisationKind.SCHOOL, council)
            for number in range(SCHOOLS)
        ]
        sencos = [
            Person(
                display_name=f"Bench SENCo {number}",
                email=f"senco{number}@bench-school.example",
                role=PersonRole.EDUCATION,
                organisation_id=id_of(school),
            )
            for number, school in enumerate(schools)
        ]
        db.add_all(sencos)
        db.flush()
        children = [
            Child(
                full_name=f"Bench Child {number}",
                date_of_birth=date(2016, 1 + number % 12, 1 + number % 28),
                school_year="Year 4",
                setting_id=id_of(schools[number % SCHOOLS]),
                local_authority_id=id_of(council),
            )
            for number in range(plans)
        ]
        db.add_all(children)
        db.flush()
        rows = [
            Plan(
                kind=PlanKind.SEN_SUPPORT,
                child_id=id_of(child),
                local_authority_id=id_of(council),
                setting_id=child.setting_id,
                status=PlanStatus.ACTIVE,
                cycle_stage=CycleStage.ASSESS,
            )
            for child in children
        ]
        db.add_all(rows)
        db.flush()
        author = [id_of(sencos[number % SCHOOLS]) for number in range(plans)]
        db.add_all(
            PlanMember(
                plan_id=id_of(plan),
                person_id=author[number],
                role=COORDINATOR_ROLES[PlanKind.SEN_SUPPORT],
                is_coordinator=True,
                added_by_id=author[number],
            )
            for number, plan in enumerate(rows)
        )
        needs = [
            Item(
                plan_id=id_of(plan),
                section=Section.B,
                kind=SECTION_KIND[Section.B],
                author_id=author[number],
                revision_number=1,
            )
            for number, plan in enumerate(rows)
        ]
        db.add_all(needs)
        db.flush()
        revisions = [
            ItemRevision(
                item_id=id_of(need),
                number=1,
                author_id=need.author_id,
                text=NEED,
                area_of_need=AreaOfNeed.COGNITION_AND_LEARNING,
            )
            for need in needs
        ]
        db.add_all(revisions)
        db.flush()
        for need, revision in zip(needs, revisions, strict=True):
            need.current_revision_id = revision.id
        db.flush()
        work = []
        for client in range(clients):
            tokens: dict[int, str] = {}
            mine = Client()
            for number in range(client, plans, clients):
                whose = number % SCHOOLS
                if whose not in tokens:
                    tokens[whose] = create_token(db, Actor.command(), sencos[whose], "scale bench")[1]
                mine.reads.append((tokens[whose], id_of(rows[number])))
                mine.writes.append((tokens[whose], id_of(rows[number]), id_of(needs[number])))
            work.append(mine)
        db.commit()
    engine.dispose()
    return work


def seed(url: str, data_dir: Path, plans: int, total_items: int, clients: int) -> World:
    env = {"ONEPLAN_DATA_DIR": str(data_dir), "ONEPLAN_DATABASE_URL": url}
    big_plan, _session = seed_large_plan(env, total_items)
    settings = Settings(data_dir=data_dir, database_url=url)
    engine = build_engine(settings)
    with Session(engine) as db:
        priya = demo_person(db, "Priya Shah")
        sessions = [
            start_session(db, priya, SignInMethod.PASSWORD, second_factor_done=True, client_address="bench")
            for _ in range(clients)
        ]
        tokens = [create_token(db, Actor.command(), priya, "scale bench")[1] for _ in range(clients)]
        db.commit()
    engine.dispose()
    return World(big_plan, sessions, tokens, seed_many_plans(url, data_dir, plans, clients))


# Where the CPU goes ---------------------------------------------------------------------------------

APP, DATABASE, LOAD, MACHINE, WALL = "app", "PostgreSQL", "load", "machine", "wall"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_of_tree(root: int) -> float:
    """CPU seconds (user and system) of a process and every process below it, as they stand now."""
    parents: dict[int, int] = {}
    spent: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        parents[int(entry.name)] = int(fields[1])
        spent[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS

    def below(pid: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = parents.get(pid, 0)
        return False

    return sum(seconds for pid, seconds in spent.items() if below(pid))


def machine_cpu() -> float:
    """CPU seconds every core has spent busy since the machine started (/proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / TICKS


def load_cpu() -> float:
    """CPU seconds of this process (the Python clients) and its finished children (wrk)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cpu_now(server: int, postgres: int) -> Counter[str]:
    return Counter(
        {
            APP: cpu_of_tree(server),
            DATABASE: cpu_of_tree(postgres),
            LOAD: load_cpu(),
            MACHINE: machine_cpu(),
            WALL: time.monotonic(),
        }
    )


# Load ---------------------------------------------------------------------------------------------


@dataclass
class Tally:
    seconds: float
    latencies: list[tuple[float, float]] = field(default_factory=list)
    """(seconds, weight): one per request from the Python clients, wrk's quantiles weighted by its count."""
    answered: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    unanswered: int = 0
    cpu: Counter[str] = field(default_factory=Counter)
    """CPU seconds spent during the case by the app processes, PostgreSQL, the load and the machine
    (and the seconds it took, WALL)."""

    def add(self, other: "Tally") -> "Tally":
        """Two rounds of the same case as one."""
        return Tally(
            self.seconds + other.seconds,
            self.latencies + other.latencies,
            self.answered + other.answered,
            self.errors + other.errors,
            self.unanswered + other.unanswered,
            self.cpu + other.cpu,
        )

    def share(self, party: str) -> float:
        """The party's share of all the CPU the machine spent during the case."""
        return self.cpu[party] / self.cpu[MACHINE] if self.cpu[MACHINE] else float("nan")

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        wanted = share * sum(weight for _seconds, weight in ordered)
        passed = 0.0
        for seconds, weight in ordered:
            passed += weight
            if passed > wanted:
                return seconds
        return ordered[-1][0]


Step = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


async def drive(base_url: str, steps: list[Step], seconds: float, timeout: float) -> Tally:
    """Each step is one client; each sends one request after another until `seconds` have passed.

    A request started in the window is waited for up to `timeout`: then it counts as unanswered.
    Requests/s is the answers (2xx) over the time from the first request to the last answer, so
    that a short round counts its slow start and its slow end alike.
    """
    tally = Tally(0.0)
    started = time.perf_counter()
    end = started + seconds

    async def client(step: Step) -> None:
        limits = httpx.Limits(max_connections=1)
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as http:
            while time.perf_counter() < end:
                sent = time.perf_counter()
                try:
                    response = await step(http)
                except httpx.TimeoutException:
                    tally.unanswered += 1
                    continue
                except httpx.HTTPError as error:
                    tally.errors[type(error).__name__] += 1
                    continue
                answered = time.perf_counter()
                tally.latencies.append((answered - sent, 1.0))
                if response.is_success:
                    tally.answered += 1
                else:
                    tally.errors[str(response.status_code)] += 1

    await asyncio.gather(*(client(step) for step in steps))
    tally.seconds = time.perf_counter() - started
    return tally


async def fetched(http: httpx.AsyncClient, path: str, **options: Any) -> httpx.Response:
    """A GET's answer read whole as sent (compressed) but not unpacked: the server's work is what is
    measured, and unpacking large pages in this one client process took the cores the servers share."""
    async with http.stream("GET", path, **options) as response:
        async for _chunk in response.aiter_raw():
            pass
    return response


def get(path: str, headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None) -> Step:
    async def step(http: httpx.AsyncClient) -> httpx.Response:
        return await fetched(http, path, headers=headers, cookies=cookies)

    return step


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def reading(client: Client) -> Step:
    """One client reading its share of the many plans, one after another, through the API."""
    state = {"next": 0}

    async def step(http: httpx.AsyncClient) -> httpx.Response:
        token, plan = client.reads[state["next"] % len(client.reads)]
        state["next"] += 1
        return await fetched(http, f"/api/v1/plans/{plan}", headers=bearer(token))

    return step


def commenting(client: Client) -> Step:
    state = {"next": 0}

    async def step(http: httpx.AsyncClient) -> httpx.Response:
        token, plan, item = client.writes[state["next"] % len(client.writes)]
        state["next"] += 1
        body = {"text": f"Agreed at the review (bench comment {state['next']})."}
        return await http.post(
            f"/api/v1/plans/{plan}/items/{item}/comments", json=body, headers=bearer(token)
        )

    return step


def editing(client: Client) -> Step:
    """Item edits as a careful client makes them: the ETag from GET once, then PUT with If-Match."""
    state = {"next": 0}
    etags: dict[int, str] = {}

    async def step(http: httpx.AsyncClient) -> httpx.Response:
        token, plan, item = client.writes[state["next"] % len(client.writes)]
        path = f"/api/v1/plans/{plan}/items/{item}"
        if item not in etags:
            response = await http.get(path, headers=bearer(token))
        else:
            state["next"] += 1
            body = {
                "text": f"{NEED} (edit {state['next']})",
                "area_of_need": AreaOfNeed.COGNITION_AND_LEARNING,
            }
            response = await http.put(path, json=body, headers={**bearer(token), "If-Match": etags[item]})
        if "ETag" in response.headers:
            etags[item] = response.headers["ETag"]
        return response

    return step


@dataclass
class Gets:
    """A case of GETs only, sent by wrk (bench/wrk_load.py): the requests its connections take in turn.

    `sent` carries on from round to round, so that a later round reads plans no earlier round has read.
    """

    requests: list[tuple[str, dict[str, str]]]
    sent: int = 0


Load = Gets | list[Step]


def measure(base_url: str, load: Load, clients: int, seconds: float, timeout: float) -> Tally:
    """One round of one case against one server."""
    if isinstance(load, list):
        return asyncio.run(drive(base_url, load, seconds, timeout))
    start = load.sent % len(load.requests)
    measured = wrk_load.run(
        base_url, load.requests[start:] + load.requests[:start], clients, seconds, timeout
    )
    load.sent += int(measured["answered"])  # type: ignore[call-overload]
    quantiles: list[float] = measured["quantiles"]  # type: ignore[assignment]
    answered = int(measured["answered"])  # type: ignore[call-overload]
    return Tally(
        float(measured["seconds"]),  # type: ignore[arg-type]
        [(seconds, answered / len(quantiles)) for seconds in quantiles],
        answered,
        Counter(measured["errors"]),  # type: ignore[arg-type]
        int(measured["unanswered"]),  # type: ignore[call-overload]
    )


GZIP = {"Accept-Encoding": "gzip"}
"""The answers as a browser takes them: compressed."""


def cases(world: World, clients: int, labels: dict[str, str]) -> dict[str, Load]:
    page, api = f"/plans/{world.big_plan}", f"/api/v1/plans/{world.big_plan}"
    reads = [
        (f"/api/v1/plans/{plan}", {**bearer(token), **GZIP})
        for turn in range(max(len(client.reads) for client in world.clients))
        for client in world.clients
        if turn < len(client.reads)
        for token, plan in [client.reads[turn]]
    ]
    return {
        labels[HEALTH]: Gets([("/healthz", GZIP)]),
        labels[PAGE]: Gets(
            [(page, {"Cookie": f"{SESSION_COOKIE}={session}", **GZIP}) for session in world.page_sessions]
        ),
        labels[API]: Gets([(api, {**bearer(token), **GZIP}) for token in world.api_tokens]),
        labels[READS]: Gets(reads),
        "comments (POST)": [commenting(client) for client in world.clients],
        "item edits (GET ETag, PUT If-Match)": [editing(client) for client in world.clients],
    }


# The chain's lag ----------------------------------------------------------------------------------


class LagSampler:
    """Samples, while the load runs, how long the oldest event has waited to join the chain."""

    QUERY = text(
        "SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - min(occurred_at)), 0) "
        "FROM audit_event WHERE sequence IS NULL"
    )

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, pool_size=1)
        self.samples: list[float] = []
        self.waiting_most = 0
        self.sampling = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with self.engine.connect() as connection:
            while not self.done.wait(LAG_SAMPLE_EVERY):
                if self.sampling.is_set():
                    waiting, age = self.unchained(connection)
                    self.samples.append(age)
                    self.waiting_most = max(self.waiting_most, waiting)

    def unchained(self, connection: object) -> tuple[int, float]:
        row = connection.execute(self.QUERY).one()  # type: ignore[attr-defined]
        connection.rollback()  # type: ignore[attr-defined]
        return int(row[0]), float(row[1])

    def now(self) -> tuple[int, float]:
        with self.engine.connect() as connection:
            return self.unchained(connection)

    def close(self) -> None:
        self.done.set()
        self.thread.join(timeout=5)
        self.engine.dispose()


# The run ------------------------------------------------------------------------------------------


def wait_until_serving(
    base_url: str, process: subprocess.Popen[bytes], log: Path, within: float = 180
) -> None:
    """Wait for /healthz to answer (slowly on a busy machine); say why not, from the server's log."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(base_url + "/healthz", timeout=10).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else []
    raise RuntimeError(f"oneplan serve did not answer /healthz at {base_url}:\n" + "\n".join(tail))


# Until `oneplan worker` exists, a checkout with only the sequencer gets it run in a loop, as the worker will.
SEQUENCER_LOOP = """
import time
from app.config import get_settings
from app.db import build_engine
from app.services.audit.sequencer import chain_pending
engine = build_engine(get_settings())
while True:
    chain_pending(engine)
    time.sleep(0.2)
"""


def sequencer(env: dict[str, str]) -> tuple[list[str] | None, str]:
    """What links the events into the chain in this checkout: `oneplan worker`, the sequencer, or nothing.

    Nothing is right for the code before the sequencer: every request chains its own events.
    """
    found = subprocess.run(oneplan("worker", "--help"), env=env, cwd=PROJECT, capture_output=True)
    if found.returncode == 0:
        return oneplan("worker"), "oneplan worker, running beside the servers"
    if (PROJECT / "app/services/audit/sequencer.py").exists():
        return [sys.executable, "-c", SEQUENCER_LOOP], "no oneplan worker: the bench runs chain_pending()"
    return None, "none: every request chains its own events (the code before the sequencer)"


def wait_for_chain(sampler: "LagSampler", within: float) -> int:
    """Wait (on the state, up to `within` s) until no event waits to be chained; return how many still do."""
    deadline = time.monotonic() + within
    waiting, _age = sampler.now()
    while waiting and time.monotonic() < deadline:
        time.sleep(0.1)
        waiting, _age = sampler.now()
    return waiting


def fmt(seconds: float) -> str:
    return "-" if seconds != seconds else f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def report(processes: int, results: dict[str, Tally]) -> None:
    """Each case's figures, and where the machine's CPU went while it ran (shares of the busy time)."""
    health = results[HEALTH].rate
    cores = os.cpu_count() or 1
    print(f"\n{processes} app process{'es' if processes > 1 else ''}:")
    print(
        f"  {'case':<38}{'req/s':>8}{'x healthz':>10}{'p50':>10}{'p99':>10}{'errors':>8}{'unanswered':>11}"
        f"   CPU busy: app / db / load"
    )
    for label, tally in results.items():
        ratio = tally.rate / health if health else float("nan")
        errors = sum(tally.errors.values())
        busy = tally.cpu[MACHINE] / (tally.cpu[WALL] * cores) if tally.cpu[WALL] else float("nan")
        shares = " / ".join(f"{tally.share(party):.0%}" for party in (APP, DATABASE, LOAD))
        print(
            f"  {label:<38}{tally.rate:>8.1f}{ratio:>10.3f}{fmt(tally.percentile(0.5)):>10}"
            f"{fmt(tally.percentile(0.99)):>10}{errors:>8}{tally.unanswered:>11}   {busy:>4.0%}: {shares}"
        )
        if tally.errors:
            print(f"  {'':<38}errors by kind: {dict(tally.errors)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=GOAL_CLIENTS)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measured case")
    parser.add_argument("--timeout", type=float, default=10.0, help="a request unanswered this long is lost")
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--items", type=int, default=300, help="items on the big plan")
    arguments = parser.parse_args()
    if not wrk_load.available():
        sys.exit("wrk is not installed: scripts/setup --for-tests installs it (the Debian package wrk).")
    labels = {
        label: label.format(items=arguments.items, plans=f"{arguments.plans:,} different")
        for label in (HEALTH, PAGE, API, READS)
    }
    began = time.monotonic()
    print(f"Load average when the run began: {', '.join(f'{load:.2f}' for load in os.getloadavg())}.")
    results: dict[int, dict[str, Tally]] = {}
    with ExitStack() as cleanup:
        work = Path(tempfile.mkdtemp(prefix="oneplan-scale-"))
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        url, postgres_pid = cleanup.enter_context(throwaway_postgres(work))
        data_dir = work / "data"
        env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT),
            "ONEPLAN_DATA_DIR": str(data_dir),
            "ONEPLAN_DATABASE_URL": url,
            "ONEPLAN_SQL_ECHO": "false",
        }
        os.environ.update({"ONEPLAN_DATA_DIR": str(data_dir), "ONEPLAN_DATABASE_URL": url})
        for step in (("db", "upgrade"), ("demo",)):
            subprocess.run(oneplan(*step), env=env, cwd=PROJECT, check=True, capture_output=True)
        world = seed(url, data_dir, arguments.plans, arguments.items, arguments.clients)
        print(
            f"PostgreSQL on loopback; the demo, a plan of {arguments.items} items and "
            f"{arguments.plans:,} plans of {SCHOOLS} SENCos (one need each), "
            f"seeded in {time.monotonic() - began:.0f} s."
        )
        chaining, chained_by = sequencer(env)
        if chaining is not None:
            cleanup.enter_context(started(chaining, env, work / "worker.log"))
        print(f"The audit chain's sequencer: {chained_by}.")
        print(
            f"{arguments.clients} clients; each case runs {arguments.seconds:g} s on each server, in rounds "
            f"that alternate between the servers; a request is unanswered after {arguments.timeout:g} s."
        )
        sampler = LagSampler(url)
        cleanup.callback(sampler.close)
        servers: dict[int, str] = {}
        server_pids: dict[int, int] = {}
        for processes in PROCESSES:
            port = free_port()
            while f"http://127.0.0.1:{port}" in servers.values():
                port = free_port()
            serve = oneplan("serve", "--port", str(port), "--workers", str(processes))
            server_env = {**env, "ONEPLAN_WORKERS": str(processes)}
            log = work / f"serve-{processes}.log"
            server = cleanup.enter_context(started(serve, server_env, log))
            servers[processes] = f"http://127.0.0.1:{port}"
            server_pids[processes] = server.pid
            wait_until_serving(servers[processes], server, log)
        plan = cases(world, arguments.clients, labels)
        # Warm every process (templates, connections) before measuring: not counted.
        for base_url in servers.values():
            for label in (labels[PAGE], labels[API]):
                measure(base_url, plan[label], arguments.clients, 2.0, arguments.timeout)
        sampler.sampling.set()
        for label, load in plan.items():
            for order in ROUNDS:
                for processes in order:
                    before = cpu_now(server_pids[processes], postgres_pid)
                    tally = measure(
                        servers[processes],
                        load,
                        arguments.clients,
                        arguments.seconds / len(ROUNDS),
                        arguments.timeout,
                    )
                    tally.cpu = cpu_now(server_pids[processes], postgres_pid)
                    tally.cpu.subtract(before)
                    earlier = results.setdefault(processes, {}).get(label)
                    results[processes][label] = earlier.add(tally) if earlier else tally
        sampler.sampling.clear()
        # Whatever the load left unchained, while everything still runs (then: still waiting).
        waiting = wait_for_chain(sampler, 3 * GOAL_LAG_P99)
        for processes in PROCESSES:
            report(processes, results[processes])

        # After the load: the chain checked whole.
        verified = subprocess.run(
            oneplan("audit", "verify"), env=env, cwd=PROJECT, capture_output=True, text=True
        )
        lag = sorted(sampler.samples) or [0.0]
        lag_p50 = lag[len(lag) // 2]
        lag_p99 = lag[min(len(lag) - 1, int(0.99 * len(lag)))]
        print(
            f"\nAudit chain's lag (oldest event not yet chained, {len(sampler.samples)} samples every "
            f"{LAG_SAMPLE_EVERY:g} s under load): p50 {lag_p50:.2f} s, p99 {lag_p99:.2f} s, "
            f"max {lag[-1]:.2f} s; at most {sampler.waiting_most} events waiting at once; "
            f"{waiting} still waiting after the run."
        )
        said = (verified.stdout + verified.stderr).strip()
        print(f"oneplan audit verify (exit {verified.returncode}): {said}")

    reads = {processes: by_case[labels[READS]].rate for processes, by_case in results.items()}
    speed_up = reads[2] / reads[1] if reads[1] else 0.0
    page_ratios = {
        processes: by_case[labels[PAGE]].rate / by_case[labels[HEALTH]].rate
        if by_case[labels[HEALTH]].rate
        else 0.0
        for processes, by_case in results.items()
    }
    failed = {
        processes: (
            sum(sum(tally.errors.values()) for tally in by_case.values()),
            sum(tally.unanswered for tally in by_case.values()),
        )
        for processes, by_case in results.items()
    }
    goals = [
        (
            f"plan page of {arguments.items} items >= {GOAL_PAGE_RATIO}x /healthz, "
            f"{arguments.clients} clients",
            ", ".join(f"{ratio:.3f}x with {p}" for p, ratio in page_ratios.items()),
            arguments.clients >= GOAL_CLIENTS
            and arguments.items >= 300
            and all(ratio >= GOAL_PAGE_RATIO for ratio in page_ratios.values()),
        ),
        (
            f"reading {arguments.plans:,} different plans: 2 processes >= {GOAL_SPEED_UP}x the rate with 1",
            f"{speed_up:.2f}x",
            arguments.plans >= 1000 and speed_up >= GOAL_SPEED_UP,
        ),
        (
            "zero errors and zero unanswered requests",
            ", ".join(f"{e} errors, {u} unanswered with {p}" for p, (e, u) in failed.items()),
            all(errors == 0 and unanswered == 0 for errors, unanswered in failed.values()),
        ),
        (f"chain lag p99 < {GOAL_LAG_P99:g} s", f"{lag_p99:.2f} s", lag_p99 < GOAL_LAG_P99 and not waiting),
        ("oneplan audit verify: the chain is whole", f"exit {verified.returncode}", verified.returncode == 0),
    ]
    print(f"\nGoals of issue 15 (run took {time.monotonic() - began:.0f} s; {os.cpu_count()} cores, shared):")
    for goal, measured, held in goals:
        print(f"  {'PASS' if held else 'FAIL'}  {goal}: {measured}")
    return 0 if all(held for _goal, _measured, held in goals) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # everything started has been stopped on the way out
        sys.exit("Interrupted: the servers and PostgreSQL it started are stopped.")
