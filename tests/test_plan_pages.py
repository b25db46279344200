"""The plans list, starting a plan, and the plan page with its section pages, as each person sees them."""

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import (
    EHC_SECTION_TITLES,
    SEN_SUPPORT_SECTION_TITLES,
    AuditEvent,
    Child,
    Item,
    ItemComment,
    ItemRevision,
    OrganisationKind,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    PlanMember,
)
from app.services.plans.content import STAGE_GROUPS
from tests.factories import make_organisation, make_person
from tests.page_checks import check_page, whole_plan

SignIn = Callable[[Person], str]
Demo = Callable[[str], Person]


def plan_of(db: Session, child_name: str) -> Plan:
    child = db.exec(select(Child).where(Child.full_name == child_name)).one()
    return db.exec(select(Plan).where(Plan.child_id == child.id)).one()


def current_words(db: Session, plan: Plan) -> list[tuple[Item, ItemRevision]]:
    return list(
        db.exec(
            select(Item, ItemRevision)
            .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
            .where(Item.plan_id == plan.id)
        )
    )


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))))


def text_of(html: str) -> str:
    """The page's words without tags, with entities for quotes undone, for "does it say" checks."""
    words = re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
    return " ".join(words.split())


def error_summary(html: str) -> list[tuple[str, str]]:
    """The error summary's entries: (the id each links to, the message)."""
    summary = html.split('govuk-error-summary__list"', 1)[1].split("</ul>", 1)[0]
    return [
        (target, text_of(message))
        for target, message in re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary, re.S)
    ]


def error_beside(html: str, field_id: str) -> str:
    """The message shown beside a field (or a group of boxes, like a date)."""
    found = re.search(
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>', html, re.S
    )
    assert found is not None, f"no message beside {field_id}"
    return text_of(found[1]).removeprefix("Error: ")


# The plans list ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "children", "may_start"),
    [
        ("Priya Shah", ["Sam Taylor"], True),
        ("Alex Taylor", ["Sam Taylor"], False),
        ("Dr Aisha Khan", ["Sam Taylor"], False),
        ("Sam Taylor", ["Sam Taylor"], False),
        ("Morgan Price", ["Ella Morris", "Sam Taylor"], True),
        ("Chris Wood", ["Ella Morris"], True),
        ("Ella Morris", ["Ella Morris"], False),
        ("Rita Okafor", ["Ella Morris", "Sam Taylor"], False),
    ],
)
def test_each_person_sees_the_plans_they_are_on(
    client: TestClient, demo: Demo, sign_in_as: SignIn, persona: str, children: list[str], may_start: bool
) -> None:
    sign_in_as(demo(persona))
    response = client.get("/plans")
    assert response.status_code == 200
    check_page(response.text)
    listed = re.findall(r'<a class="govuk-link" href="/plans/\d+">([^<]+)</a>', response.text)
    assert listed == children
    assert ('href="/plans/new"' in response.text) is may_start


def test_the_list_says_each_plan_s_kind_status_setting_and_my_part(
    client: TestClient, demo: Demo, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Rita Okafor"))
    rita_sees = text_of(client.get("/plans").text)
    assert "Ella Morris EHC plan OP-" in rita_sees
    assert "Issued Hillcrest Academy Audit (read only)" in rita_sees
    assert "SEN Support plan" in rita_sees
    assert "Cycle 2: Assess Riverside Primary School" in rita_sees
    sign_in_as(demo("Priya Shah"))
    assert "Riverside Primary School Education (coordinator)" in text_of(client.get("/plans").text)
    sign_in_as(demo("Alex Taylor"))
    assert "Riverside Primary School Parent or carer" in text_of(client.get("/plans").text)


def test_listing_plans_is_audited(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Alex Taylor"))
    client.get("/plans")
    listed = events(db_session, "plans.listed")[-1]
    assert listed.details == {"plan_ids": [plan_of(db_session, "Sam Taylor").id]}


@pytest.mark.parametrize(
    ("role", "advice"),
    [
        (PersonRole.PARENT_CARER, "when its coordinator"),
        (PersonRole.EDUCATION, "Start a plan for a child you support"),
        (PersonRole.LA_AUDIT_OFFICER, "Plans of your local authority will appear here"),
    ],
)
def test_with_no_plans_the_list_says_what_to_do(
    client: TestClient, db_session: Session, sign_in_as: SignIn, role: PersonRole, advice: str
) -> None:
    council = make_organisation(db_session, OrganisationKind.LOCAL_AUTHORITY)
    organisation = {
        PersonRole.EDUCATION: make_organisation(db_session, OrganisationKind.SCHOOL, council),
        PersonRole.LA_AUDIT_OFFICER: council,
    }.get(role)
    sign_in_as(make_person(db_session, role, organisation=organisation, password=None))
    response = client.get("/plans")
    check_page(response.text)
    assert "You are not on any plans yet." in response.text
    assert advice in response.text
    assert "<table" not in response.text


def test_administrators_see_no_plans(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Admin"))
    assert client.get("/plans").status_code == 403
    # A plan they may not see does not exist for them (issue 22, finding 11).
    assert client.get(f"/plans/{plan_of(db_session, 'Sam Taylor').id}").status_code == 404
    assert client.get("/plans/new").status_code == 403


# Starting a plan --------------------------------------------------------------------------------


def _start_form(csrf: str, **fields: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "kind": "sen_support",
        "child_full_name": "Jamie Rivers",
        "child_preferred_name": "Jay",
        "child_date_of_birth-day": "3",
        "child_date_of_birth-month": "9",
        "child_date_of_birth-year": "2018",
        "child_school_year": "Year 3",
        **fields,
    }


def test_a_senco_starts_a_sen_support_plan(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    priya = demo("Priya Shah")
    csrf = sign_in_as(priya)
    form = client.get("/plans/new")
    assert form.status_code == 200
    check_page(form.text)
    assert 'value="sen_support" checked' in form.text
    assert 'value="ehc"' not in form.text
    assert 'name="setting_id"' not in form.text
    response = client.post("/plans/new", data=_start_form(csrf), follow_redirects=False)
    assert response.status_code == 303
    plan = plan_of(db_session, "Jamie Rivers")
    assert response.headers["location"] == f"/plans/{plan.id}"
    assert plan.kind is PlanKind.SEN_SUPPORT
    member = db_session.exec(select(PlanMember).where(PlanMember.plan_id == plan.id)).one()
    assert (member.person_id, member.is_coordinator) == (priya.id, True)
    assert events(db_session, "plan.created")[-1].object_id == str(plan.id)
    page = client.get(response.headers["location"])
    check_page(page.text)
    assert "Jamie Rivers" in page.text
    assert "Jay" in page.text
    assert "Cycle 1: Assess" in page.text


def test_a_case_officer_starts_an_ehc_plan_naming_a_school_of_their_council(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    csrf = sign_in_as(demo("Morgan Price"))
    form = client.get("/plans/new").text
    check_page(form)
    assert 'value="ehc" checked' in form
    assert "Riverside Primary School</option>" in form
    assert "Hillcrest Academy</option>" in form
    assert "Northshire NHS Trust" not in form
    school = re.search(r'<option value="(\d+)"[^>]*>Hillcrest Academy</option>', form)
    assert school is not None
    response = client.post(
        "/plans/new", data=_start_form(csrf, kind="ehc", setting_id=school[1]), follow_redirects=False
    )
    assert response.status_code == 303
    plan = plan_of(db_session, "Jamie Rivers")
    assert (plan.kind, plan.setting_id) == (PlanKind.EHC, int(school[1]))
    assert "Hillcrest Academy" in client.get(response.headers["location"]).text


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        (
            {
                "child_full_name": " ",
                "child_date_of_birth-day": "",
                "child_date_of_birth-month": "",
                "child_date_of_birth-year": "",
                "child_school_year": "",
            },
            [
                ("child_full_name", "Enter the child's full name"),
                ("child_date_of_birth-day", "Enter the child's date of birth"),
                ("child_school_year", "Enter the child's school year"),
            ],
        ),
        (
            {"child_date_of_birth-month": ""},
            [("child_date_of_birth-month", "Date of birth must include a month")],
        ),
        (
            {"child_date_of_birth-day": "31", "child_date_of_birth-month": "2"},
            [("child_date_of_birth-day", "Date of birth must be a real date")],
        ),
        (
            {"child_date_of_birth-year": "2099"},
            [("child_date_of_birth-day", "Date of birth must be in the past")],
        ),
        ({"kind": "ehc"}, [("kind", "Select the kind of plan")]),
    ],
)
def test_starting_a_plan_shows_each_problem_beside_its_field_and_keeps_what_was_typed(
    client: TestClient,
    db_session: Session,
    demo: Demo,
    sign_in_as: SignIn,
    fields: dict[str, str],
    problems: list[tuple[str, str]],
) -> None:
    csrf = sign_in_as(demo("Priya Shah"))
    response = client.post("/plans/new", data=_start_form(csrf, **fields))
    assert response.status_code == 200
    check_page(response.text)
    page = response.text.replace("&#39;", "'")
    assert "<title>Error: Start a plan" in page
    assert error_summary(page) == problems
    for field, message in problems:
        assert error_beside(page, field.split("-")[0]) == message
    assert 'value="Year 3"' in page or fields.get("child_school_year") == ""
    assert db_session.exec(select(Child).where(Child.full_name == "Jamie Rivers")).first() is None


def test_only_senco_and_case_officers_start_plans(client: TestClient, demo: Demo, sign_in_as: SignIn) -> None:
    for persona in ("Alex Taylor", "Dr Aisha Khan", "Rita Okafor", "Sam Taylor"):
        sign_in_as(demo(persona))
        assert client.get("/plans/new").status_code == 403, persona


# The plan page ----------------------------------------------------------------------------------


def test_the_plan_page_shows_the_whole_plan_with_who_wrote_each_item(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Alex Taylor"))
    plan = plan_of(db_session, "Sam Taylor")
    response = client.get(f"/plans/{plan.id}")
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    assert f"SEN Support plan {plan.reference}" in page
    assert "Sam Taylor" in page
    assert "Known as Sam" in page
    assert "Coordinator Priya Shah, Riverside Primary School" in page
    assert "Cycle 2: Assess" in page
    assert "Version 2" in page
    for heading, _sections in STAGE_GROUPS[PlanKind.SEN_SUPPORT]:
        assert heading in page
    for section, title in SEN_SUPPORT_SECTION_TITLES.items():
        assert f'href="/plans/{plan.id}/sections/{section}"' in response.text
        assert title in page
    assert "Review: what we learned" in page
    assert "Lunch in the library: Sam eats and comes back calm." in page
    assert 'class="oneplan-item"' not in response.text  # the items are on their sections' pages
    html = whole_plan(client, plan.id)
    people = {person.id: person.display_name for person in db_session.exec(select(Person))}
    written = current_words(db_session, plan)
    assert len(written) == 24  # 18 items, the 5 views of demo/voices.py, Priya's advice (demo/timelines.py)
    # Sam chose Alex and Tom Baker only for one view: it is not on this page (tests/test_voices.py).
    written = [(item, revision) for item, revision in written if not revision.text.startswith("Mr Baker")]
    for item, revision in written:
        block = text_of(html.split(f'id="item-{item.id}"', 1)[1].split("</li>", 1)[0])
        assert revision.text.replace("'", "'") in block
        assert people[revision.author_id] in block
        assert f"Revision {item.revision_number}" in block


def test_the_page_shows_particulars_of_needs_outcomes_and_provision(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Dr Aisha Khan"))
    page = text_of(whole_plan(client, plan_of(db_session, "Sam Taylor").id))
    assert "Area of need: Communication and interaction" in page
    assert "To achieve by 16 July 2027" in page
    assert "Provision 3 sessions a week, by Teaching assistant trained in Language for Thinking" in page
    assert "Provision 1 session a term, by Occupational therapist from Northshire NHS Trust" in page


def test_the_page_shows_comments_with_their_author(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Tom Baker"))
    plan = plan_of(db_session, "Sam Taylor")
    comment = db_session.exec(select(ItemComment).where(ItemComment.plan_id == plan.id)).one()
    html = whole_plan(client, plan.id)
    item = text_of(html.split(f'id="item-{comment.item_id}"', 1)[1].split('<li class="oneplan-item"', 1)[0])
    assert "Comments (1)" in item
    assert "he has eaten all his lunch twice this week" in item
    assert "Alex Taylor" in item


def test_each_member_gets_edit_links_only_where_they_may_revise(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    by_author = {}
    for item, _revision in current_words(db_session, plan):
        by_author.setdefault(item.author_id, []).append(item.id)
    alex = demo("Alex Taylor")
    sign_in_as(alex)
    html = whole_plan(client, plan.id)
    editable = {int(found) for found in re.findall(r'href="/plans/\d+/items/(\d+)/edit"', html)}
    assert editable == set(by_author[alex.id])  # their own view only
    assert re.findall(r'href="/plans/\d+/sections/(\w+)/new"', html) == ["A"]
    assert html.count('/comments/new"') == 24  # Sam picked Alex to see his one view for chosen people
    assert "<textarea" not in html  # a comment form only when asked for
    sign_in_as(demo("Priya Shah"))
    html = whole_plan(client, plan.id)
    assert re.findall(r'href="/plans/\d+/sections/(\w+)/new"', html) == ["A", "B", "K", "E", "F"]


def test_views_recorded_on_someone_s_behalf_say_so(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Jo Green"))
    sam = demo("Sam Taylor")
    response = client.post(
        f"/plans/{plan.id}/sections/A/items",
        data={"csrf_token": csrf, "voice_id": str(sam.id), "text": "I want to go to the club on Fridays."},
    )
    assert response.status_code == 200
    assert "Sam Taylor's words, recorded by Jo Green" in text_of(response.text)


def test_the_audit_officer_reads_every_plan_of_the_council_and_changes_nothing(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Rita Okafor"))
    plan = plan_of(db_session, "Sam Taylor")
    response = client.get(f"/plans/{plan.id}")
    assert response.status_code == 200
    check_page(response.text)
    assert "You are reading this plan as an audit officer" in response.text
    assert "/reviews/new" not in response.text
    html = whole_plan(client, plan.id)
    assert "/edit" not in html
    assert '/new"' not in html
    assert "/comments" not in html
    assert "Sam finds it hard to follow spoken instructions" in html


def test_the_ehc_plan_reads_in_its_statutory_sections(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Ella Morris"))
    response = client.get(f"/plans/{plan_of(db_session, 'Ella Morris').id}")
    assert response.status_code == 200
    check_page(response.text)
    page = text_of(response.text)
    for section, title in EHC_SECTION_TITLES.items():
        assert f"Section {section}: {title}" in page
    assert "This plan is issued: its words cannot be changed until the coordinator starts a review." in page
    html = whole_plan(client, plan_of(db_session, "Ella Morris").id)
    assert "Hillcrest Academy (sixth form), a mainstream academy." in text_of(html)
    assert "/edit" not in html  # issued: frozen until a review
    assert "/comments/new" in html


def test_reading_the_plan_is_audited(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    alex = demo("Alex Taylor")
    sign_in_as(alex)
    plan = plan_of(db_session, "Sam Taylor")
    client.get(f"/plans/{plan.id}")
    read = events(db_session, "plan.read")[-1]
    assert (read.actor_id, read.object_id, read.channel) == (alex.id, str(plan.id), "page")
    before = len(events(db_session, "plan.items_read"))
    client.get(f"/plans/{plan.id}/sections/E")
    section_reads = events(db_session, "plan.items_read")
    assert len(section_reads) == before + 1  # one event for the section page
    read = section_reads[-1]
    assert (read.actor_id, read.object_id, read.details["section"]) == (alex.id, str(plan.id), "E")


@pytest.mark.parametrize("persona", ["Chris Wood", "Ella Morris"])
def test_a_plan_one_is_not_on_does_not_exist(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, persona: str
) -> None:
    sign_in_as(demo(persona))
    plan = plan_of(db_session, "Sam Taylor")
    response = client.get(f"/plans/{plan.id}")
    assert response.status_code == 404
    check_page(response.text)
    assert "Sam" not in response.text
    refused = events(db_session, "plan.refused")[-1]
    assert refused.object_id == str(plan.id)


# Section pages ----------------------------------------------------------------------------------


def test_a_section_has_its_own_address_and_htmx_gets_only_the_section(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Alex Taylor"))
    plan = plan_of(db_session, "Sam Taylor")
    outline = client.get(f"/plans/{plan.id}").text
    assert f'hx-get="/plans/{plan.id}/sections/E"' in outline
    page = client.get(f"/plans/{plan.id}/sections/E")
    assert page.status_code == 200
    assert "HX-Request" in page.headers["Vary"]
    check_page(page.text)
    assert "Outcomes: what we want to achieve</h1>" in page.text
    assert 'class="govuk-back-link"' in page.text
    fragment = client.get(f"/plans/{plan.id}/sections/E", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "Outcomes: what we want to achieve</h2>" in fragment.text
    assert 'id="section-E-items"' in fragment.text


@pytest.mark.parametrize("section", ["Z", "I", "e", "H1x"])
def test_a_section_the_plan_does_not_have_is_not_found(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, section: str
) -> None:
    sign_in_as(demo("Alex Taylor"))
    plan = plan_of(db_session, "Sam Taylor")  # SEN Support: no section I
    response = client.get(f"/plans/{plan.id}/sections/{section}")
    assert response.status_code == 404
    check_page(response.text)


def test_a_section_of_a_plan_one_is_not_on_does_not_exist(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Chris Wood"))
    plan = plan_of(db_session, "Sam Taylor")
    response = client.get(f"/plans/{plan.id}/sections/A")
    assert response.status_code == 404
    assert "Sam" not in response.text
    assert events(db_session, "plan.refused")[-1].object_id == str(plan.id)


def test_the_comment_form_comes_only_when_asked_for(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    item = db_session.exec(select(Item).where(Item.plan_id == plan.id, Item.section == "E")).first()
    assert item is not None
    csrf = sign_in_as(demo("Alex Taylor"))
    asked = client.get(f"/plans/{plan.id}/items/{item.id}/comments/new", headers={"HX-Request": "true"})
    assert asked.status_code == 200
    assert f'id="item-{item.id}-comment"' in asked.text
    assert "<textarea" in asked.text
    without_js = client.get(f"/plans/{plan.id}/items/{item.id}/comments/new", follow_redirects=False)
    assert without_js.status_code == 303
    assert without_js.headers["location"] == f"/plans/{plan.id}/items/{item.id}#comment"
    sent = client.post(
        f"/plans/{plan.id}/items/{item.id}/comments",
        data={"csrf_token": csrf, "comment": "Lunch went well today."},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"].startswith(f"/plans/{plan.id}/sections/E#comment-")
    sign_in_as(demo("Rita Okafor"))  # reads, never comments
    refused = client.get(f"/plans/{plan.id}/items/{item.id}/comments/new", headers={"HX-Request": "true"})
    assert refused.status_code == 403
