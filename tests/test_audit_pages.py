"""The LA audit officer's pages, export and API; the family's page of who looked at or changed the plan."""

import base64
import csv
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import html5lib
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.config import Settings
from app.models import (
    AuditEvent,
    Channel,
    Child,
    OrganisationKind,
    Outcome,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanStatus,
)
from app.models.base import id_of
from app.services import audit
from app.services.audit.integrity import Checkpoint, checkpoint_file_name, verify_trail
from app.services.plans.access import plan_access
from app.services.plans.content import load_plan
from tests.databases import on_postgres
from tests.factories import make_organisation, make_person
from tests.page_checks import check_page
from tests.plan_factories import last_event_id
from tests.query_count import counting_queries

SignIn = Callable[[Person], str]
Demo = Callable[[str], Person]


def _table(html: str) -> list[list[str]]:
    """The officer's table: one list of cell texts (spaces tidied) per event."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    return [
        [" ".join(" ".join(cell.itertext()).split()) for cell in row.findall("td")]
        for row in document.findall(".//tbody/tr")
    ]


def _who(html: str) -> set[str]:
    return {row[1] for row in _table(html)}


def _plan_of(db: Session, child_name: str) -> Plan:
    return db.exec(select(Plan).join(Child).where(Child.full_name == child_name)).one()


def _reads(db: Session, person: Person, plan: Plan, *, address: str = "192.0.2.10") -> None:
    """The person opens the plan (a read of plan content, audited)."""
    actor = Actor(person=person, channel=Channel.PAGE, client_address=address, request_id="test")
    load_plan(db, actor, plan_access(db, actor, id_of(plan)))


def _other_councils_plan(db: Session) -> Plan:
    council = make_organisation(db, OrganisationKind.LOCAL_AUTHORITY)
    child = Child(
        full_name="Other Council Child",
        date_of_birth=date(2015, 1, 1),
        school_year="Year 6",
        local_authority_id=id_of(council),
    )
    db.add(child)
    db.flush()
    plan = Plan(
        kind=PlanKind.SEN_SUPPORT,
        child_id=id_of(child),
        local_authority_id=id_of(council),
        status=PlanStatus.ACTIVE,
    )
    db.add(plan)
    db.flush()
    audit.record(db, Actor.command(), "plan.created", object_type="plan", object_id=plan.id)
    return plan


@pytest.fixture
def sams_plan(demo: Demo, db_session: Session) -> Plan:
    return _plan_of(db_session, "Sam Taylor")


def test_the_officer_sees_every_event_of_the_councils_plans_and_no_other(
    client: TestClient, sign_in_as: SignIn, demo: Demo, db_session: Session, sams_plan: Plan
) -> None:
    _reads(db_session, demo("Priya Shah"), sams_plan)
    other = _other_councils_plan(db_session)
    sign_in_as(demo("Rita Okafor"))

    response = client.get("/audit")

    assert response.status_code == 200
    check_page(response.text)
    assert "Northshire County Council" in response.text
    assert "Priya Shah" in response.text
    assert "Plan read" in response.text
    assert sams_plan.reference in response.text
    assert "Sam Taylor" in response.text
    assert "192.0.2.10" in response.text
    assert other.reference not in response.text
    assert (
        '<a href="/audit" class="govuk-service-navigation__link"' in response.text
        or ">Audit<" in response.text
    )


def test_filters_narrow_the_events_and_say_what_is_wrong(
    client: TestClient, sign_in_as: SignIn, demo: Demo, db_session: Session, sams_plan: Plan
) -> None:
    ellas_plan = _plan_of(db_session, "Ella Morris")
    _reads(db_session, demo("Priya Shah"), sams_plan)
    _reads(db_session, demo("Chris Wood"), ellas_plan)
    sign_in_as(demo("Rita Okafor"))
    today = uk_today()

    by_plan = client.get("/audit", params={"plan": ellas_plan.reference.lower(), "action": "reads"})
    by_person = client.get("/audit", params={"person": "PRIYA.SHAH@riverside.example", "action": "plan.read"})
    by_name = client.get("/audit", params={"person": "chris", "action": "reads"})
    by_day = client.get(
        "/audit",
        params={"from-day": today.day, "from-month": today.month, "from-year": today.year, "action": "reads"},
    )
    in_2020 = client.get(
        "/audit",
        params={
            "from-day": 1,
            "from-month": 1,
            "from-year": 2020,
            "to-day": 31,
            "to-month": 12,
            "to-year": 2020,
        },
    )
    wrong = client.get(
        "/audit",
        params={
            "plan": "Sam",
            "person": "nobody at all",
            "from-day": "31",
            "from-month": "2",
            "from-year": "2026",
            "to-day": "1",
            "to-month": "1",
            "to-year": "2026",
        },
    )

    # Other tests may have committed events of their own: look for ours, and for the others' absence.
    chris = "Chris Wood Education (school or college), Hillcrest Academy"
    priya = "Priya Shah Education (school or college), Riverside Primary School"
    assert chris in _who(by_plan.text)
    assert priya not in _who(by_plan.text)
    assert priya in _who(by_person.text)
    assert chris not in _who(by_person.text)
    assert chris in _who(by_name.text)
    assert priya not in _who(by_name.text)
    assert {chris, priya} <= _who(by_day.text)
    assert _table(in_2020.text) == []
    assert "No events match the filter" in in_2020.text
    assert wrong.status_code == 200
    check_page(wrong.text)
    assert "There is a problem" in wrong.text
    assert "<title>Error: Audit trail" in wrong.text
    assert 'href="#plan">Enter a plan reference like OP-1042' in wrong.text
    assert 'href="#person">No one has that name or e-mail address' in wrong.text
    assert 'href="#from-day">The start date must be a real date' in wrong.text


def test_pages_go_back_in_time_by_sequence_without_gaps_or_repeats(
    client: TestClient,
    sign_in_as: SignIn,
    demo: Demo,
    db_session: Session,
    sams_plan: Plan,
    sequencer: Callable[[], int],
) -> None:
    for number in range(120):
        audit.record(
            db_session,
            Actor.command(),
            "plan.read",
            object_type="plan",
            object_id=sams_plan.id,
            details={"n": number},
        )
    sequencer()
    expected = list(
        db_session.exec(
            select(AuditEvent.sequence)
            .where(AuditEvent.plan_id == sams_plan.id)
            .order_by(col(AuditEvent.sequence).desc())
        )
    )
    sign_in_as(demo("Rita Okafor"))

    seen: list[int] = []
    address = f"/audit?plan={sams_plan.reference}"
    pages = 0
    while address:
        page = client.get(address)
        pages += 1
        seen += [int(number) for number in re.findall(r"No\. (\d+)", page.text)]
        older = re.search(r'href="(/audit\?[^"]*before=\d+[^"]*)"', page.text)
        address = older.group(1).replace("&amp;", "&") if older else ""
    back = client.get(f"/audit?plan={sams_plan.reference}&before={expected[60]}")
    newer = re.search(r'href="(/audit\?[^"]*after=\d+[^"]*)"', back.text)
    assert newer is not None
    newest = client.get(newer.group(1).replace("&amp;", "&"))

    assert seen == expected
    assert pages == -(-len(expected) // 50)
    assert [int(n) for n in re.findall(r"No\. (\d+)", newest.text)] == expected[11:61]


def test_the_export_streams_every_matching_event_as_a_spreadsheet_safe_csv(
    client: TestClient,
    sign_in_as: SignIn,
    demo: Demo,
    db_session: Session,
    sams_plan: Plan,
    sequencer: Callable[[], int],
) -> None:
    sneaky = make_person(db_session, PersonRole.PARENT_CARER)
    sneaky.display_name = '=HYPERLINK("http://evil.example","click")'
    db_session.flush()
    audit.record(
        db_session,
        Actor(person=sneaky, channel=Channel.PAGE, client_address="@evil"),
        "plan.refused",
        object_type="plan",
        object_id=sams_plan.id,
        reason="-1+2",
    )
    _reads(db_session, demo("Priya Shah"), sams_plan)
    sequencer()
    in_plan = db_session.exec(select(AuditEvent.sequence).where(AuditEvent.plan_id == sams_plan.id)).all()
    sign_in_as(demo("Rita Okafor"))

    response = client.get("/audit/export.csv", params={"plan": sams_plan.reference})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="oneplan-audit-')
    assert response.text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert sorted(int(row["sequence"]) for row in rows) == sorted(in_plan)
    refused = next(row for row in rows if row["action"] == "plan.refused")
    assert refused["person"] == '\'=HYPERLINK("http://evil.example","click")'
    assert refused["client_address"] == "'@evil"
    assert refused["reason"] == "'-1+2"
    assert refused["plan"] == sams_plan.reference
    assert all(
        not value.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for value in row.values()
    )
    exported = db_session.exec(
        select(AuditEvent).where(AuditEvent.action == "audit.exported", AuditEvent.sequence > max(in_plan))
    ).one()
    assert exported.details == {"filters": {"plan_id": sams_plan.id}}


def test_a_wrong_filter_on_the_export_goes_back_to_the_page_with_the_problem(
    client: TestClient, sign_in_as: SignIn, demo: Demo
) -> None:
    sign_in_as(demo("Rita Okafor"))

    response = client.get("/audit/export.csv", params={"plan": "nonsense"}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/audit?plan=nonsense"


def test_the_family_reads_who_looked_at_and_changed_the_plan_in_plain_words(
    client: TestClient, sign_in_as: SignIn, demo: Demo, db_session: Session, sams_plan: Plan
) -> None:
    _reads(db_session, demo("Priya Shah"), sams_plan)
    outsider = demo("Chris Wood")
    audit.record(
        db_session,
        Actor(person=outsider, channel=Channel.PAGE),
        "plan.refused",
        object_type="plan",
        object_id=sams_plan.id,
        outcome=Outcome.REFUSED,
        reason="Not Found",
    )
    alex = demo("Alex Taylor")
    _reads(db_session, alex, sams_plan)
    sign_in_as(alex)

    everything = client.get(f"/plans/{sams_plan.id}/audit")
    changes = client.get(f"/plans/{sams_plan.id}/audit", params={"show": "changes"})

    assert everything.status_code == 200
    check_page(everything.text)
    text = re.sub(r"\s+", " ", everything.text)
    assert "Who has looked at or changed this plan" in text
    assert re.search(
        r"Priya Shah \(Riverside Primary School\) read the plan on \d+ \w+ \d{4} at \d+:\d\d[ap]m\.", text
    )
    assert "Chris Wood (Hillcrest Academy) tried to open the plan and was turned away" in text
    assert "You (Alex Taylor) read the plan on" in text
    assert "read the plan" not in re.sub(r"\s+", " ", changes.text)
    # Tom joined when the plan began: the oldest page of its changes says so.
    oldest = client.get(f"/plans/{sams_plan.id}/audit", params={"show": "changes", "after": "1"})
    assert "added Tom Baker to the plan" in re.sub(r"\s+", " ", changes.text + oldest.text)


def test_reading_the_trail_is_recorded(
    client: TestClient, sign_in_as: SignIn, demo: Demo, db_session: Session, sams_plan: Plan
) -> None:
    head = last_event_id(db_session)
    rita = demo("Rita Okafor")
    sign_in_as(rita)
    client.get("/audit", params={"action": "reads"})
    alex = demo("Alex Taylor")
    sign_in_as(alex)
    client.get(f"/plans/{sams_plan.id}/audit")

    ours = select(AuditEvent).where(col(AuditEvent.id) > head)
    listed = db_session.exec(ours.where(AuditEvent.action == "audit.listed")).one()
    read = db_session.exec(ours.where(AuditEvent.action == "plan.audit_read")).one()
    assert (listed.actor_id, listed.details) == (rita.id, {"filters": {"action": "reads"}, "before": None})
    assert (read.actor_id, read.plan_id) == (alex.id, sams_plan.id)


def test_the_api_lists_the_councils_events_and_a_plans_events(
    client: TestClient, sign_in_as: SignIn, demo: Demo, db_session: Session, sams_plan: Plan
) -> None:
    priya = demo("Priya Shah")
    _reads(db_session, priya, sams_plan)
    _other_councils_plan(db_session)
    sign_in_as(demo("Rita Okafor"))

    council = client.get("/api/v1/audit", params={"person_id": priya.id, "action": "reads", "limit": 1})
    every = client.get("/api/v1/audit", params={"limit": 500}).json()
    officer_view = client.get(f"/api/v1/plans/{sams_plan.id}/audit", params={"action": "plan.read"}).json()
    wrong = client.get("/api/v1/audit", params={"since": "2026-03-02", "until": "2026-03-01"})
    sign_in_as(demo("Alex Taylor"))
    family_view = client.get(f"/api/v1/plans/{sams_plan.id}/audit", params={"action": "plan.read"}).json()

    assert council.status_code == 200
    (event,) = council.json()["events"]
    assert event["actor"] == {
        "id": priya.id,
        "display_name": "Priya Shah",
        "role": "education",
        "organisation_id": priya.organisation_id,
        "organisation_name": "Riverside Primary School",
    }
    assert (event["action"], event["plan_id"], event["client_address"]) == (
        "plan.read",
        sams_plan.id,
        "192.0.2.10",
    )
    assert len(event["hash"]) == 64
    assert {e["plan_id"] for e in every["events"]} <= {sams_plan.id, _plan_of(db_session, "Ella Morris").id}
    assert officer_view["events"][0]["client_address"] == "192.0.2.10"
    assert family_view["events"][0]["client_address"] is None
    assert family_view["events"][0]["actor"]["display_name"] == "Priya Shah"
    assert wrong.status_code == 422
    assert "until" in wrong.json()["detail"]


def test_the_api_pages_with_before(
    client: TestClient,
    sign_in_as: SignIn,
    demo: Demo,
    db_session: Session,
    sams_plan: Plan,
    sequencer: Callable[[], int],
) -> None:
    plan_id = sams_plan.id
    for _ in range(5):
        audit.record(db_session, Actor.command(), "plan.read", object_type="plan", object_id=plan_id)
    sequencer()
    expected = list(
        db_session.exec(
            select(AuditEvent.sequence)
            .where(AuditEvent.plan_id == plan_id)
            .order_by(col(AuditEvent.sequence).desc())
        )
    )
    sign_in_as(demo("Rita Okafor"))

    page = client.get("/api/v1/audit", params={"plan_id": plan_id, "limit": 3}).json()
    sequences = [event["sequence"] for event in page["events"]]
    while page["next_before"] is not None:
        params = {"plan_id": plan_id, "limit": 40, "before": page["next_before"]}
        page = client.get("/api/v1/audit", params=params).json()
        sequences += [event["sequence"] for event in page["events"]]

    assert len(sequences) == len(expected) > 5
    assert sequences == expected


def _shapes(statements: list[str]) -> list[str]:
    """Statements without their lists of values (IN (?, ?, ?) is one query however many values)."""
    placeholders = r"(\?|%\([^)]*\)s)(::\w+)?"  # SQLite's ?, psycopg's %(name)s::TYPE
    return [
        re.sub(rf" IN \({placeholders}(, {placeholders})*\)", " IN (...)", statement)
        for statement in statements
    ]


@pytest.mark.parametrize("path", ["/audit", "/api/v1/audit", "/plans/{plan_id}/audit"])
def test_audit_pages_cost_the_same_queries_with_many_people_on_them(
    app: FastAPI,
    client: TestClient,
    sign_in_as: SignIn,
    demo: Demo,
    db_session: Session,
    sams_plan: Plan,
    path: str,
) -> None:
    plan_id = sams_plan.id
    address = path.format(plan_id=plan_id)
    sign_in_as(demo("Rita Okafor"))
    db_session.expunge_all()  # each request starts with an empty session, as it does when served
    with counting_queries() as few:
        assert client.get(address).status_code == 200
    for _ in range(20):
        school = make_organisation(db_session, OrganisationKind.SCHOOL)
        visitor = make_person(db_session, PersonRole.EDUCATION, organisation=school, password=None)
        actor = Actor(person=visitor, channel=Channel.PAGE)
        audit.record(db_session, actor, "plan.read", object_type="plan", object_id=plan_id)
    db_session.expunge_all()
    with counting_queries() as many:
        assert client.get(address).status_code == 200
    assert _shapes(many.statements) == _shapes(few.statements)


def test_reading_a_plan_adds_exactly_one_event(demo: Demo, db_session: Session, sams_plan: Plan) -> None:
    head = last_event_id(db_session)

    _reads(db_session, demo("Tom Baker"), sams_plan)

    events = db_session.exec(select(AuditEvent).where(col(AuditEvent.id) > head)).all()
    assert [(event.action, event.actor_id, event.plan_id) for event in events] == [
        ("plan.read", demo("Tom Baker").id, sams_plan.id)
    ]


@pytest.mark.parametrize("door", ["/plans/{plan_id}", "/api/v1/plans/{plan_id}"])
def test_opening_a_plan_adds_exactly_one_event_naming_the_reader_and_the_plan(
    client: TestClient, sign_in_as: SignIn, demo: Demo, db_session: Session, sams_plan: Plan, door: str
) -> None:
    tom = demo("Tom Baker")
    plan_id = sams_plan.id
    sign_in_as(tom)
    head = last_event_id(db_session)

    response = client.get(door.format(plan_id=plan_id))

    assert response.status_code == 200
    events = db_session.exec(select(AuditEvent).where(col(AuditEvent.id) > head)).all()
    assert [(e.action, e.actor_id, e.object_type, e.object_id, e.plan_id) for e in events] == [
        ("plan.read", tom.id, "plan", str(plan_id), plan_id)
    ]


def test_a_nul_character_in_a_filter_is_no_crash(client: TestClient, sign_in_as: SignIn, demo: Demo) -> None:
    sign_in_as(demo("Rita Okafor"))

    page = client.get("/audit", params={"person": "pri\x00ya", "plan": "OP-\x001001"})
    api = client.get("/api/v1/audit", params={"action": "plan.\x00read"})

    assert page.status_code == 200
    assert api.status_code == 422


@pytest.fixture
def officer(
    sign_in_as: SignIn, demo: Demo, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """Rita Okafor, the council's audit officer, signed in, checkpoints kept in a folder of the test's
    own; her CSRF token."""
    monkeypatch.setattr(settings, "audit_checkpoint_dir", tmp_path)
    return sign_in_as(demo("Rita Okafor"))


def test_the_officer_checks_the_trail_and_publishes_a_checkpoint_now(
    client: TestClient, officer: str, demo: Demo, db_session: Session, settings: Settings
) -> None:
    rita, csrf = demo("Rita Okafor"), officer
    before = client.get("/audit/checkpoints")
    check_page(before.text)
    assert "No checkpoint has been published yet." in before.text

    published = client.post("/audit/checkpoints", data={"csrf_token": csrf})

    assert published.status_code == 200
    check_page(published.text)
    [written] = list(settings.audit_checkpoints_path.iterdir())
    head = db_session.exec(select(AuditEvent).order_by(col(AuditEvent.sequence).desc())).first()
    assert head is not None
    assert head.action == "audit.checkpoint_published"
    assert (head.actor_id, head.outcome, head.details["new"]) == (rita.id, Outcome.DONE, True)
    checkpointed = head.details["sequence"]
    assert checkpointed == head.sequence - 1, "the checkpoint signs the head as it was when asked"
    assert f"A signed checkpoint of event {checkpointed} was published." in published.text
    assert written.name == checkpoint_file_name(checkpointed)
    signed = db_session.exec(select(AuditEvent).where(AuditEvent.sequence == checkpointed)).one()
    assert f'<code class="op-hash">{signed.hash}</code>' in published.text, "the fingerprint is shown as code"
    assert "&lt;code" not in published.text, "no markup shown as text"
    assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d\d[ap]m", published.text), (
        "made at, in UK words"
    )

    again = client.post("/audit/checkpoints", data={"csrf_token": csrf})
    assert f"A signed checkpoint of event {checkpointed + 1} was published." in again.text, "one event since"
    assert len(list(settings.audit_checkpoints_path.iterdir())) == 2
    assert verify_trail(db_session, settings, [settings.audit_checkpoints_path]).whole


def test_a_checkpoint_is_refused_on_a_trail_that_is_not_whole_and_the_page_says_why(
    client: TestClient, officer: str, db_session: Session, tmp_path: Path
) -> None:
    csrf = officer
    if on_postgres():
        db_session.execute(text("SET LOCAL session_replication_role = replica"))  # as an intruder would
    db_session.execute(text("UPDATE audit_event SET action = 'plan.tampered' WHERE sequence = 2"))

    refused = client.post("/audit/checkpoints", data={"csrf_token": csrf})

    assert refused.status_code == 200
    assert "No checkpoint was made: the trail is not whole" in refused.text
    assert refused.text.count('role="alert"') == 1
    assert not list(tmp_path.iterdir()), "nothing was signed"


def test_every_event_on_the_officers_pages_reads_as_words_not_a_code(
    client: TestClient, sign_in_as: SignIn, demo: Demo, db_session: Session
) -> None:
    sign_in_as(demo("Rita Okafor"))
    codes = set(db_session.exec(select(AuditEvent.action).where(col(AuditEvent.sequence).is_not(None))))
    assert {"delivery.recorded", "item.added", "advice.requested"} <= codes, "the demo's trail has them"
    shown: list[str] = []
    query = ""
    for _ in range(20):  # the newest pages of the trail, each of them
        page = client.get(f"/audit?{query}")
        assert page.status_code == 200
        table = page.text[page.text.index("<tbody") :]
        shown += re.findall(r"<td class=\"govuk-table__cell\">\s*([^<\n]+)", table)
        older = re.search(r'href="/audit\?([^"]*before=[^"]*)"', page.text)
        if older is None:
            break
        query = older.group(1).replace("&amp;", "&")
    assert shown
    assert not [cell for cell in shown if re.search(r"\b[a-z]+_?[a-z]*\.[a-z_]+\b", cell)]
    assert {"Delivery recorded", "Item added", "Advice asked for"} <= {cell.strip() for cell in shown}


def test_the_officer_downloads_the_checkpoint_and_checks_it_with_the_public_key(
    client: TestClient, officer: str, demo: Demo, db_session: Session
) -> None:
    csrf = officer
    assert client.get("/audit/checkpoints/latest").status_code == 404
    page = client.post("/audit/checkpoints", data={"csrf_token": csrf})
    assert 'href="/audit/checkpoints/latest"' in page.text

    downloaded = client.get("/audit/checkpoints/latest")
    key_file = client.get("/audit/checkpoints/public-key")

    assert downloaded.status_code == 200
    assert "attachment" in downloaded.headers["content-disposition"]
    document = downloaded.json()
    assert key_file.status_code == 200
    _, key_text, *_ = key_file.text.split()
    assert f"ed25519 {key_text}" in page.text, "the page shows the key the file carries"
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key_text))
    signed = Checkpoint(document["sequence"], document["head_hash"], document["made_at"]).signed_content()
    public_key.verify(base64.b64decode(document["signature"]), signed)  # raises if it does not check out
    head = db_session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert head is not None
    assert (head.action, head.actor_id) == ("audit.checkpoint_downloaded", demo("Rita Okafor").id)
    assert head.details["sequence"] == document["sequence"]
