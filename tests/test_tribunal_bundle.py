"""The tribunal bundle: one paginated PDF a person can put in a bundle, holding the plan's whole record,
and closing with a hash that the audit chain and its signed checkpoint confirm."""

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.config import Settings
from app.models import AuditEvent, ItemKind, Plan
from app.services.audit import hash_of
from app.services.audit.events import fields_of
from app.services.audit.integrity import make_checkpoint, verify_trail
from app.services.plans.access import plan_access
from app.services.plans.content import plan_items
from app.templating import when
from tests.test_paper import HIDDEN_VIEW, SHARED_ONLY_WITH, get_pdf, pdf_text, words
from tests.test_plan_pages import plan_of, text_of
from tests.test_voices import Demo, SignIn

PARTS = (
    "The plan",
    "Changes between versions",
    "Views and advice in full",
    "Delivery record",
    "Concerns and complaints",
    "Audit extract",
    "Checking this bundle",
)


def page_text(path: Path, page: int) -> str:
    return words(
        subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )


def plan_events(db: Session, plan: Plan) -> list[AuditEvent]:
    return list(
        db.exec(
            select(AuditEvent)
            .where(col(AuditEvent.plan_id) == plan.id, col(AuditEvent.sequence).is_not(None))
            .order_by(col(AuditEvent.sequence))
        )
    )


def test_sams_bundle_holds_every_item_view_and_event_and_closes_with_a_hash_the_chain_confirms(
    client: TestClient,
    db_session: Session,
    demo: Demo,
    sign_in_as: SignIn,
    settings: Settings,
    sequencer: Callable[[], int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "audit_checkpoint_dir", tmp_path / "checkpoints")
    plan = plan_of(db_session, "Sam Taylor")
    alex = demo("Alex Taylor")
    sign_in_as(alex)
    assert client.get(f"/plans/{plan.id}").status_code == 200  # a read, for the trail to show
    sequencer()
    made = make_checkpoint(db_session, settings)  # the worker publishes one on its schedule
    assert made.checkpoint is not None
    events = plan_events(db_session, plan)
    access = plan_access(db_session, Actor.command(alex), plan.id or 0)
    entries = plan_items(db_session, access)

    document = get_pdf(client, f"/plans/{plan.id}/tribunal-bundle.pdf")
    path = tmp_path / "bundle.pdf"
    text = words(pdf_text(document, tmp_path, "bundle"))

    # Every item of the plan that Alex may read, every view among them, and the restricted one, marked.
    assert len(entries) > 10
    unbroken = text.replace("-", "")  # pdftotext joins a word broken at a line's end ("after-school")
    for entry in entries:
        assert words(entry.revision.text).replace("-", "") in unbroken, entry.item.id
    assert {entry.item.kind for entry in entries} >= {ItemKind.VIEW, ItemKind.ADVICE, ItemKind.PROVISION}
    assert SHARED_ONLY_WITH in text
    assert HIDDEN_VIEW in text
    # Every event of the plan's audit trail, by its place in the chain, in UK time and in words.
    assert len(events) > 20
    for event in events:
        assert f"Event {event.sequence}, {when(event.occurred_at)}: " in text, event.action
    for code in ("plan.read", "item.added", "plan.exported"):
        assert code not in text  # words, not codes
    assert "Alex Taylor read the plan." in text
    assert "Tom Baker (Riverside Primary School) added a view in section A." in text
    assert "Priya Shah (Riverside Primary School) added Alex Taylor to the plan." in text
    # The delivery record, day by day, a missed day with its reason.
    assert "missed (Teaching assistant off sick; no cover). Recorded by Tom Baker" in text

    # Numbered pages, and a contents page giving each part's page, where that part starts.
    pages = int(re.findall(r"Page 1 of (\d+)", text)[0])
    assert pages >= 6
    for page in (1, pages):
        assert f"Page {page} of {pages}" in page_text(path, page)
    contents = page_text(path, 1)
    for number, title in enumerate(PARTS, start=1):
        found = re.search(rf"Part {number}: {title}, page (\d+)", contents)
        assert found, title
        assert f"Part {number}: {title}" in page_text(path, int(found.group(1)))

    # The closing page: the hash of the plan's last event, which the chain and its checkpoint confirm.
    last = page_text(path, pages)
    assert "Part 7: Checking this bundle" in last
    [event_hash] = re.findall(r"Its chain hash ([0-9a-f]{64})", last)
    [head_hash] = re.findall(r"Head hash ([0-9a-f]{64})", last)
    latest = events[-1]
    assert latest.hash == event_hash == hash_of(fields_of(latest))
    assert f"Event {latest.sequence}, {when(latest.occurred_at)}" in last
    assert made.checkpoint.sequence >= (latest.sequence or 0)
    assert made.checkpoint.head_hash == head_hash
    assert f"of the chain up to event {made.checkpoint.sequence}" in last
    assert "oneplan audit verify --checkpoints" in last
    assert "/audit/checkpoints/public-key" in last
    sequencer()
    verification = verify_trail(db_session, settings)  # what `oneplan audit verify` runs
    assert verification.whole, verification.problem
    assert verification.checkpoints == 1

    # The download itself is in the trail, in words.
    taken = db_session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert taken is not None
    assert (taken.action, taken.plan_id, taken.actor_id) == ("plan.bundle_downloaded", plan.id, alex.id)
    assert taken.details["last_sequence"] == latest.sequence
    assert taken.details["checkpoint"] == made.checkpoint.sequence


def test_the_councils_auditor_takes_a_bundle_without_the_views_shared_with_others(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, tmp_path: Path
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Rita Okafor"))
    text = words(pdf_text(get_pdf(client, f"/plans/{plan.id}/tribunal-bundle.pdf"), tmp_path, "auditor"))
    assert "Tribunal bundle: Sam Taylor" in text
    assert HIDDEN_VIEW not in text
    assert "Shared only with" not in text
    assert "1 view is not in this copy" in text
    sign_in_as(demo("Chris Wood"))
    assert client.get(f"/plans/{plan.id}/tribunal-bundle.pdf").status_code == 404


def test_the_plan_page_offers_the_bundle_and_names_the_export_for_moving_a_plan(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Ella Morris")
    sign_in_as(demo("Morgan Price"))
    page = client.get(f"/plans/{plan.id}").text
    assert f'href="/plans/{plan.id}/tribunal-bundle.pdf"' in page
    links = text_of(page)
    assert "Download a tribunal bundle" in links
    assert "Export this plan for moving it to another OnePlan service" in links
    assert "or a tribunal bundle" not in links
    version = client.get(f"/api/v1/plans/{plan.id}/tribunal-bundle.pdf?version=1")
    assert version.status_code == 200
    assert 'filename="OP-' in version.headers["content-disposition"]
    assert "tribunal-bundle-version-1.pdf" in version.headers["content-disposition"]


CONCERN = "Sam has had no speech and language therapy since half term. Nobody told us why."
SETTINGS_ANSWER = "The therapist was ill; sessions restart on Monday."
WHY_COMPLAINT = "Monday came and went with no session."
COUNCILS_ANSWER = "Sessions restarted; the school will report monthly."


def test_concerns_and_complaints_are_in_the_bundle_only_for_those_who_read_them(
    client: TestClient,
    db_session: Session,
    demo: Demo,
    sign_in_as: SignIn,
    settings: Settings,
    tmp_path: Path,
) -> None:
    from app.models import ComplaintStage, ConcernAbout, ConcernOutcome
    from app.services.concerns import complaints, concerns
    from tests.plan_factories import access_for

    plan = plan_of(db_session, "Sam Taylor")
    alex, priya, morgan = demo("Alex Taylor"), demo("Priya Shah"), demo("Morgan Price")
    alexs = access_for(db_session, alex, plan)
    concern = concerns.raise_concern(
        db_session,
        settings,
        Actor.command(alex),
        alexs,
        concerns.NewConcern(about=ConcernAbout.DELIVERY, words=CONCERN),
    )
    concerns.answer(
        db_session,
        settings,
        Actor.command(priya),
        access_for(db_session, priya, plan),
        concern,
        concerns.Words(words=SETTINGS_ANSWER),
    )
    concerns.say_outcome(db_session, Actor.command(alex), alexs, concern, ConcernOutcome.NOT_RESOLVED)
    complaint = complaints.escalate(
        db_session, settings, Actor.command(alex), alexs, concern, concerns.Words(words=WHY_COMPLAINT)
    )
    row = complaints.council_complaint(db_session, morgan, complaint.id or 0).rows[0]
    complaints.handle(
        db_session,
        Actor.command(morgan),
        morgan,
        row,
        complaints.Handling(stage=ComplaintStage.CLOSED, answer=COUNCILS_ANSWER),
    )

    sign_in_as(alex)
    text = words(pdf_text(get_pdf(client, f"/plans/{plan.id}/tribunal-bundle.pdf"), tmp_path, "alex"))
    for shown in (
        "Part 5: Concerns and complaints",
        "Raised by Alex Taylor",
        f"In the words of Alex Taylor: {CONCERN}",
        f"by Priya Shah: {SETTINGS_ANSWER}",
        "the family said the answer did not resolve the concern",
        f"Why, in the words of Alex Taylor: {WHY_COMPLAINT}",
        "Stage Closed",
        f"by Morgan Price: {COUNCILS_ANSWER}",
        "Alex Taylor raised a concern with the setting",
        "Part 7: Checking this bundle",
    ):
        assert shown in text, shown

    sign_in_as(demo("Dr Aisha Khan"))  # on the plan for health: not one who reads its concerns
    theirs = words(pdf_text(get_pdf(client, f"/plans/{plan.id}/tribunal-bundle.pdf"), tmp_path, "aisha"))
    assert "Tribunal bundle: Sam Taylor" in theirs
    for hidden in (
        "Concerns and complaints",
        "concern",
        "complaint",
        CONCERN,
        SETTINGS_ANSWER,
        COUNCILS_ANSWER,
    ):
        assert hidden.lower() not in theirs.lower(), hidden
    assert "Part 6: Checking this bundle" in theirs
