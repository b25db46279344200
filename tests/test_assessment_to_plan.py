"""One child, one record, one thread from request to plan; advice written where it is asked for (issue 17).

On the demo: Sam's SEN Support plan carries his assessment at week 7 (the council has decided to
assess; Dr Khan's medical advice is overdue). Each reproduction of the issue's "Why" for this part is
here, now refused with a clear message or giving the right result.
"""

import html
from collections.abc import Callable
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import UK_TIME, uk_today
from app.config import Settings
from app.models import (
    AuditEvent,
    Child,
    Item,
    ItemKind,
    ItemRevision,
    Person,
    Plan,
    PlanKind,
    PlanMember,
    PlanStatus,
)
from app.models.base import as_utc, id_of
from app.models.timeline import (
    AdviceAttachment,
    AdviceRequest,
    AdviceTopic,
    AssessmentRequest,
    StatutoryStep,
    StepKind,
    StepOutcome,
)
from app.services.auth.api_tokens import create_token
from app.services.plans import lifecycle, plans
from app.services.plans.access import plan_access
from app.services.plans.plans import PlanAlreadyLive, PlanProblem
from app.services.timelines import advice_files, steps, timelines
from app.services.timelines.advice_files import Upload
from tests.page_checks import check_page

Demo = Callable[[str], Person]
SignIn = Callable[[Person], str]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="PNG")
    return out.getvalue()


def text_of(page: str) -> str:
    return html.unescape(page)


def sen_support_plan(db: Session, demo: Demo, name: str = "Sam Taylor") -> Plan:
    child = demo(name)
    return db.exec(
        select(Plan)
        .join(Child, col(Child.id) == col(Plan.child_id))
        .where(Child.person_id == child.id, Plan.kind == PlanKind.SEN_SUPPORT)
    ).one()


def step_of(db: Session, plan: Plan, kind: StepKind) -> StatutoryStep:
    return db.exec(
        select(StatutoryStep).where(StatutoryStep.plan_id == plan.id, StatutoryStep.kind == kind)
    ).one()


def khans_advice(db: Session, plan: Plan) -> AdviceRequest:
    return db.exec(
        select(AdviceRequest).where(
            AdviceRequest.plan_id == plan.id, AdviceRequest.topic == AdviceTopic.HEALTH
        )
    ).one()


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def bearer(db: Session, person: Person) -> dict[str, str]:
    _token, secret = create_token(db, Actor.command(), person, "assessment test")
    return {"Authorization": f"Bearer {secret}"}


# The draft made from the assessment --------------------------------------------------------------


def test_the_draft_carries_the_sen_support_plan_its_people_and_the_assessments_thread(
    db_session: Session, demo: Demo
) -> None:
    db = db_session
    sam = sen_support_plan(db, demo)
    morgan = Actor.command(demo("Morgan Price"))
    draft = timelines.make_draft_plan(db, morgan, plan_access(db, morgan, id_of(sam)))
    assert (draft.kind, draft.status, draft.child_id) == (PlanKind.EHC, PlanStatus.DRAFT, sam.child_id)
    carried = {
        item.carried_from_id: item for item in db.exec(select(Item).where(Item.plan_id == draft.id)).all()
    }
    originals = db.exec(
        select(Item, ItemRevision)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(Item.plan_id == sam.id)
    ).all()
    assert {item.kind for item, _ in originals} <= {
        ItemKind.VIEW,
        ItemKind.NEED,
        ItemKind.OUTCOME,
        ItemKind.PROVISION,
        ItemKind.ADVICE,
    }
    assert set(carried) == {item.id for item, _ in originals}
    for item, revision in originals:
        copy = carried[item.id]
        words = db.get(ItemRevision, copy.current_revision_id)
        assert words is not None
        assert words.text == revision.text
        assert (copy.section, copy.author_id, copy.voice_id) == (item.section, item.author_id, item.voice_id)
        assert copy.carried_from_on == as_utc(revision.created_at).astimezone(UK_TIME).date()
    sams_views = [copy for copy in carried.values() if copy.voice_id == demo("Sam Taylor").id]
    assert sams_views, "Sam's views start the draft"
    members = {
        member.person_id: member
        for member in db.exec(select(PlanMember).where(PlanMember.plan_id == draft.id)).all()
    }
    assert members[id_of(demo("Morgan Price"))].is_coordinator
    for name in ("Alex Taylor", "Sam Taylor", "Tom Baker", "Dr Aisha Khan", "Jo Green", "Priya Shah"):
        assert id_of(demo(name)) in members
    request = db.exec(select(AssessmentRequest).where(AssessmentRequest.from_plan_id == sam.id)).one()
    assert request.plan_id == draft.id
    assert {
        step.plan_id
        for step in db.exec(select(StatutoryStep).where(StatutoryStep.assessment_id == request.id))
    } == {draft.id}
    timeline = timelines.plan_timeline(db, plan_access(db, morgan, id_of(draft)))
    assert timeline.assessment is not None
    assert timeline.assessment.request.id == request.id
    assert len([entry for entry in timeline.entries if entry.advice]) == 3
    [made] = events(db, "assessment.draft_made")
    assert made.details["from_plan_id"] == sam.id


def test_a_child_with_a_live_ehc_plan_gets_no_second_one(db_session: Session, demo: Demo) -> None:
    db = db_session
    sam = sen_support_plan(db, demo)
    child = db.get(Child, sam.child_id)
    assert child is not None
    morgan = Actor.command(demo("Morgan Price"))
    first = plans.create_plan(
        db,
        morgan,
        plans.NewPlan(
            kind=PlanKind.EHC,
            child_full_name=child.full_name,
            child_date_of_birth=child.date_of_birth,
            child_school_year=child.school_year,
        ),
    )
    with pytest.raises(PlanAlreadyLive, match=f"already has a live EHC plan: {first.reference}"):
        timelines.make_draft_plan(db, morgan, plan_access(db, morgan, id_of(sam)))
    assert db.exec(select(Plan).where(Plan.child_id == sam.child_id, Plan.kind == PlanKind.EHC)).all() == [
        first
    ]


def test_no_draft_before_the_council_decides_to_assess(db_session: Session, demo: Demo) -> None:
    db = db_session
    sam = sen_support_plan(db, demo)
    decision = step_of(db, sam, StepKind.ASSESSMENT_DECISION)
    decision.done_on, decision.outcome = None, None
    db.add(decision)
    db.flush()
    morgan = Actor.command(demo("Morgan Price"))
    access = plan_access(db, morgan, id_of(sam))
    assert not timelines.may_make_draft(db, access)
    with pytest.raises(PlanProblem, match="has not decided to assess yet"):
        timelines.make_draft_plan(db, morgan, access)


# Steps that need a thing to exist (the issue's first reproduction) --------------------------------


def test_draft_plan_sent_is_refused_without_a_draft_and_until_it_is_sent(
    db_session: Session, demo: Demo, settings: Settings
) -> None:
    db = db_session
    sam = sen_support_plan(db, demo)
    morgan = Actor.command(demo("Morgan Price"))
    access = plan_access(db, morgan, id_of(sam))
    sent = timelines.StepDone(done_on=uk_today(), outcome=StepOutcome.DRAFT_SENT)
    with pytest.raises(PlanProblem, match="There is no draft plan to send") as refused:
        timelines.record_done(db, morgan, access, step_of(db, sam, StepKind.ISSUE_DECISION), sent)
    assert refused.value.field == "outcome"
    draft = timelines.make_draft_plan(db, morgan, access)
    draft_access = plan_access(db, morgan, id_of(draft))
    with pytest.raises(PlanProblem, match=steps.DRAFT_NOT_SENT.split(":")[0]):
        timelines.record_done(db, morgan, draft_access, step_of(db, draft, StepKind.ISSUE_DECISION), sent)
    final = step_of(db, draft, StepKind.FINAL_PLAN)
    with pytest.raises(PlanProblem, match="There is no final plan yet"):
        timelines.record_done(db, morgan, draft_access, final, timelines.StepDone(done_on=uk_today()))
    lifecycle.take_step(
        db,
        morgan,
        draft_access,
        lifecycle.StepRequest(step=lifecycle.Step.SEND_FOR_CONSULTATION),
        settings=settings,
    )
    issue = step_of(db, draft, StepKind.ISSUE_DECISION)
    assert (issue.done_on, issue.outcome, issue.done_by_id) == (
        uk_today(),
        StepOutcome.DRAFT_SENT,
        morgan.person.id,
    )
    with pytest.raises(PlanProblem, match="There is no final plan yet"):
        timelines.record_done(db, morgan, draft_access, final, timelines.StepDone(done_on=uk_today()))


# Advice written where it is asked for ------------------------------------------------------------


def test_dr_khan_writes_her_advice_with_files_and_returning_closes_the_request(
    db_session: Session, demo: Demo, settings: Settings
) -> None:
    db = db_session
    sam = sen_support_plan(db, demo)
    advice = khans_advice(db, sam)
    khan = Actor.command(demo("Dr Aisha Khan"))
    access = plan_access(db, khan, id_of(sam))
    uploads = [Upload("paediatric report.pdf", PDF), Upload("C:\\scans\\ear defenders.PNG", png())]
    timelines.return_advice(
        db,
        khan,
        access,
        settings.data_dir,
        advice,
        timelines.WrittenAdvice(text="Quiet lunch space."),
        uploads,
    )
    assert (advice.returned_on, advice.returned_by_id) == (uk_today(), khan.person.id)
    item = db.get(Item, advice.advice_item_id)
    assert item is not None
    assert (item.plan_id, item.section, item.kind) == (sam.id, "K", ItemKind.ADVICE)
    files = db.exec(select(AdviceAttachment).where(AdviceAttachment.item_id == item.id)).all()
    assert [(file.shown_name, file.media_type) for file in files] == [
        ("paediatric report.pdf", "application/pdf"),
        ("ear defenders.PNG", "image/png"),
    ]
    assert advice_files.read_attachment(db, khan, access, settings.data_dir, files[0]) == PDF
    assert events(db, "advice.returned")[-1].details["attachments"] == 2
    # The draft made afterwards carries her advice into section K, with its files for the plan's members.
    morgan = Actor.command(demo("Morgan Price"))
    draft = timelines.make_draft_plan(db, morgan, plan_access(db, morgan, id_of(sam)))
    carried = db.exec(select(Item).where(Item.plan_id == draft.id, Item.carried_from_id == item.id)).one()
    alex = Actor.command(demo("Alex Taylor"))
    written = timelines.advice_written(db, plan_access(db, alex, id_of(draft)), advice)
    assert written is not None
    assert written.item.id == carried.id
    assert written.text == "Quiet lunch space."
    assert [file.plan_id for file in written.attachments] == [draft.id, draft.id]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (Upload("report.pdf", b"just some words, not a PDF"), "report.pdf is not a PDF, PNG or JPEG file"),
        (Upload("big.pdf", PDF + b"x" * advice_files.MAX_BYTES), "big.pdf is larger than 5 MB"),
        (Upload("empty.png", b""), "empty.png is empty"),
        (Upload("cut.pdf", b"%PDF-1.4 cut short"), "cut.pdf could not be opened"),
    ],
)
def test_files_are_known_by_their_content_and_size(upload: Upload, message: str) -> None:
    with pytest.raises(PlanProblem, match=message) as refused:
        advice_files.checked_file(upload)
    assert refused.value.field == "attachments"


def test_a_picture_named_as_a_pdf_is_kept_as_the_picture_it_is() -> None:
    checked = advice_files.checked_file(Upload("scan.pdf", png()))
    assert (checked.media_type, checked.extension) == ("image/png", "png")


def test_advice_cannot_be_returned_with_nothing_written(
    db_session: Session, demo: Demo, settings: Settings
) -> None:
    """The issue's reproduction: Dr Khan's step asked only for a date and closed with nothing written."""
    db = db_session
    sam = sen_support_plan(db, demo)
    advice = khans_advice(db, sam)
    khan = Actor.command(demo("Dr Aisha Khan"))
    access = plan_access(db, khan, id_of(sam))
    with pytest.raises(PlanProblem, match="Write the advice"):
        timelines.return_advice(
            db, khan, access, settings.data_dir, advice, timelines.WrittenAdvice(text="  "), []
        )
    with pytest.raises(PlanProblem, match="advice cannot be returned with nothing written"):
        timelines.record_advice_returned(
            db, khan, access, advice, timelines.AdviceReturned(returned_on=uk_today())
        )
    assert advice.returned_on is None


# Pages ---------------------------------------------------------------------------------------------


def test_dr_khan_opens_the_request_from_her_dashboard_and_returns_it_with_a_file(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = sen_support_plan(db_session, demo)
    advice = khans_advice(db_session, sam)
    csrf = sign_in_as(demo("Dr Aisha Khan"))
    dashboard = client.get("/dashboard")
    address = f"/plans/{sam.id}/advice-requests/{advice.id}"
    assert f'href="{address}"' in dashboard.text
    page = client.get(address)
    assert page.status_code == 200
    check_page(page.text)
    assert "Write the advice" in page.text
    done = client.post(
        f"{address}/advice",
        data={"csrf_token": csrf, "advice_text": "A quiet space at lunch; ear defenders in assemblies."},
        files=[("attachments", ("report.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert done.status_code == 303
    timeline = client.get(done.headers["location"])
    assert "The advice has been returned: it is in section K of the plan." in text_of(timeline.text)
    returned = client.get(address)
    check_page(returned.text)
    assert "A quiet space at lunch" in returned.text
    [file] = db_session.exec(
        select(AdviceAttachment).where(AdviceAttachment.advice_request_id == advice.id)
    ).all()
    assert f'/plans/{sam.id}/advice-files/{file.id}"' in returned.text
    sign_in_as(demo("Alex Taylor"))
    download = client.get(f"/plans/{sam.id}/advice-files/{file.id}")
    assert (download.status_code, download.content) == (200, PDF)
    assert download.headers["content-type"] == "application/pdf"
    assert events(db_session, "advice.attachment_read")[-1].actor_id == demo("Alex Taylor").id
    sign_in_as(demo("Ella Morris"))  # not on Sam's plan
    assert client.get(f"/plans/{sam.id}/advice-files/{file.id}").status_code == 404


@pytest.mark.parametrize(
    ("text", "file", "message"),
    [
        ("", None, "Write the advice (a summary, at least, of any report you attach)"),
        (
            "Advice.",
            ("notes.pdf", b"plain words", "application/pdf"),
            "notes.pdf is not a PDF, PNG or JPEG file",
        ),
        (
            "Advice.",
            ("big.pdf", PDF + b"x" * advice_files.MAX_BYTES, "application/pdf"),
            "big.pdf is larger than 5 MB",
        ),
    ],
)
def test_the_advice_page_names_each_problem_and_keeps_what_was_typed(
    client: TestClient,
    db_session: Session,
    demo: Demo,
    sign_in_as: SignIn,
    text: str,
    file: tuple[str, bytes, str] | None,
    message: str,
) -> None:
    sam = sen_support_plan(db_session, demo)
    advice = khans_advice(db_session, sam)
    csrf = sign_in_as(demo("Dr Aisha Khan"))
    response = client.post(
        f"/plans/{sam.id}/advice-requests/{advice.id}/advice",
        data={"csrf_token": csrf, "advice_text": text},
        files=[("attachments", file)] if file else [("attachments", ("", b"", "application/octet-stream"))],
    )
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert "There is a problem" in page
    assert message in page
    assert "Breadcrumb" in page or "govuk-breadcrumbs" in response.text
    if text:
        assert f">{text}</textarea>" in response.text
    assert advice.returned_on is None


def test_morgan_makes_the_draft_from_the_timeline_and_it_shows_where_each_item_came_from(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = sen_support_plan(db_session, demo)
    csrf = sign_in_as(demo("Morgan Price"))
    timeline = client.get(f"/plans/{sam.id}/timeline")
    assert "Make the draft plan" in timeline.text
    made = client.post(f"/plans/{sam.id}/draft-plan", data={"csrf_token": csrf}, follow_redirects=False)
    assert made.status_code == 303
    draft = db_session.exec(
        select(Plan).where(Plan.child_id == sam.child_id, Plan.kind == PlanKind.EHC)
    ).one()
    assert made.headers["location"] == f"/plans/{draft.id}"
    section = client.get(f"/plans/{draft.id}/sections/A")
    assert section.status_code == 200
    check_page(section.text)
    view = db_session.exec(select(Item).where(Item.plan_id == draft.id, Item.section == "A")).first()
    assert view is not None
    assert view.carried_from_on is not None
    assert (
        f"From the SEN Support plan, {view.carried_from_on.day} {view.carried_from_on:%B %Y}" in section.text
    )
    on_the_draft = client.get(f"/plans/{draft.id}/timeline")
    check_page(on_the_draft.text)
    assert "EHC needs assessment" in on_the_draft.text
    old = client.get(f"/plans/{sam.id}/timeline")
    assert f"{draft.reference}\N{RIGHT SINGLE QUOTATION MARK}s timeline" in text_of(old.text)
    assert "Make the draft plan" not in old.text


def test_a_second_draft_is_refused_on_the_timeline_with_a_link_to_the_live_plan(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = sen_support_plan(db_session, demo)
    child = db_session.get(Child, sam.child_id)
    assert child is not None
    morgan = Actor.command(demo("Morgan Price"))
    first = plans.create_plan(
        db_session,
        morgan,
        plans.NewPlan(
            kind=PlanKind.EHC,
            child_full_name=child.full_name,
            child_date_of_birth=child.date_of_birth,
            child_school_year=child.school_year,
        ),
    )
    csrf = sign_in_as(demo("Morgan Price"))
    response = client.post(f"/plans/{sam.id}/draft-plan", data={"csrf_token": csrf})
    assert response.status_code == 200
    check_page(response.text)
    assert f"already has a live EHC plan: {first.reference}" in text_of(response.text)
    assert 'href="#make_draft"' in response.text


def test_draft_plan_sent_without_a_draft_is_refused_on_the_step_page_keeping_the_date(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """The issue's reproduction: Morgan recorded "Draft plan sent" with no draft plan existing."""
    sam = sen_support_plan(db_session, demo)
    step = step_of(db_session, sam, StepKind.ISSUE_DECISION)
    csrf = sign_in_as(demo("Morgan Price"))
    today = uk_today()
    response = client.post(
        f"/plans/{sam.id}/timeline/steps/{step.id}/done",
        data={
            "csrf_token": csrf,
            "outcome": "draft_sent",
            "done_on-day": str(today.day),
            "done_on-month": str(today.month),
            "done_on-year": str(today.year),
        },
    )
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert "There is no draft plan to send: make the draft plan from the assessment first" in page
    assert f'value="{today.day}"' in response.text
    assert step.done_on is None


# The API -------------------------------------------------------------------------------------------


def test_the_api_makes_the_draft_once_and_says_why_not_after(
    client: TestClient, db_session: Session, demo: Demo
) -> None:
    sam = sen_support_plan(db_session, demo)
    morgan = bearer(db_session, demo("Morgan Price"))
    step = step_of(db_session, sam, StepKind.ISSUE_DECISION)
    early = client.post(
        f"/api/v1/plans/{sam.id}/steps/{step.id}/done",
        json={"done_on": uk_today().isoformat(), "outcome": "draft_sent"},
        headers=morgan,
    )
    assert early.status_code == 422
    assert "There is no draft plan to send" in early.text
    made = client.post(f"/api/v1/plans/{sam.id}/draft-plan", headers=morgan)
    assert made.status_code == 201
    body = made.json()
    assert (body["kind"], body["status"], body["made_from_plan_id"]) == ("ehc", "draft", sam.id)
    assert made.headers["location"] == f"/api/v1/plans/{body['id']}"
    again = client.post(f"/api/v1/plans/{sam.id}/draft-plan", headers=morgan)
    assert again.status_code == 409
    assert "There is no assessment under way" in again.json()["detail"]


def test_the_api_returns_advice_only_with_advice_written(
    client: TestClient, db_session: Session, demo: Demo
) -> None:
    sam = sen_support_plan(db_session, demo)
    advice = khans_advice(db_session, sam)
    khan = bearer(db_session, demo("Dr Aisha Khan"))
    address = f"/api/v1/plans/{sam.id}/advice-requests/{advice.id}"
    empty = client.post(f"{address}/advice", json={"text": ""}, headers=khan)
    assert empty.status_code == 422
    assert "Write the advice" in empty.text
    dated_only = client.post(
        f"{address}/returned", json={"returned_on": uk_today().isoformat()}, headers=khan
    )
    assert dated_only.status_code == 422
    assert "advice cannot be returned with nothing written" in dated_only.text
    returned = client.post(f"{address}/advice", json={"text": "Ear defenders in assemblies."}, headers=khan)
    assert returned.status_code == 200
    assert returned.json()["returned_on"] == uk_today().isoformat()
    assert returned.json()["advice_item_id"] is not None


def test_the_final_plan_step_is_refused_until_the_plan_is_issued_on_the_page_and_the_api(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sam = sen_support_plan(db_session, demo)
    morgan = Actor.command(demo("Morgan Price"))
    draft = timelines.make_draft_plan(db_session, morgan, plan_access(db_session, morgan, id_of(sam)))
    final = step_of(db_session, draft, StepKind.FINAL_PLAN)
    csrf = sign_in_as(demo("Morgan Price"))
    today = uk_today()
    page = client.post(
        f"/plans/{draft.id}/timeline/steps/{final.id}/done",
        data={
            "csrf_token": csrf,
            "done_on-day": str(today.day),
            "done_on-month": str(today.month),
            "done_on-year": str(today.year),
        },
    )
    assert page.status_code == 200
    check_page(page.text)
    assert "There is no final plan yet: issue the EHC plan from its stage page" in text_of(page.text)
    assert 'href="#done_on-day"' in page.text
    api = client.post(
        f"/api/v1/plans/{draft.id}/steps/{final.id}/done",
        json={"done_on": today.isoformat()},
        headers=bearer(db_session, demo("Morgan Price")),
    )
    assert api.status_code == 422
    assert "There is no final plan yet" in api.text
    assert final.done_on is None


def test_advice_due_later_is_on_the_advisers_dashboard_to_open(db_session: Session, demo: Demo) -> None:
    """Not only overdue or due this week: every request asked of the adviser can be opened from there."""
    db = db_session
    sam = sen_support_plan(db, demo)
    morgan = Actor.command(demo("Morgan Price"))
    khan = demo("Dr Aisha Khan")
    asked = timelines.send_advice_request(
        db,
        morgan,
        plan_access(db, morgan, id_of(sam)),
        timelines.NewAdviceRequest(
            topic=AdviceTopic.PSYCHOLOGY,
            organisation_id=khan.organisation_id or 0,
            person_id=khan.id,
            sent_on=uk_today(),
        ),
    )
    dashboard = timelines.my_dashboard(db, Actor.command(khan))
    assert [row.entry.advice.id for row in dashboard.advice_asked if row.entry.advice] == [asked.id]
    assert asked.id not in {row.entry.advice.id for row in dashboard.overdue if row.entry.advice}
