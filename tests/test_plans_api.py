"""The plans API, as the demo's people use it with their API tokens: who sees, writes and changes what.

Each test plays people of the demo world (DESIGN.md) against Sam's SEN Support plan or Ella's issued
EHC plan, and checks what they get back and what the audit trail says. The demo world takes a couple
of seconds to build, so the role-by-action tables are played inside one test each and compared whole.
"""

import json
import subprocess
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.actor import Actor
from app.clock import uk_today
from app.models import (
    AuditEvent,
    Channel,
    Child,
    Item,
    ItemRevision,
    Organisation,
    Outcome,
    Person,
    PersonRole,
    Plan,
    PlanStatus,
    Section,
)
from app.services.auth.api_tokens import create_token
from tests.factories import make_organisation, make_person

Headers = Callable[[str], dict[str, str]]
Demo = Callable[[str], Person]
Events = Callable[..., list[AuditEvent]]

TODAY = uk_today()
STRANGER = "a stranger"


@pytest.fixture
def as_person(db_session: Session, demo: Demo) -> Headers:
    """Bearer headers for a demo persona, or for "a stranger" (a teacher at another school, on no plan)."""
    made: dict[str, dict[str, str]] = {}

    def headers(name: str) -> dict[str, str]:
        if name not in made:
            if name == STRANGER:
                school = make_organisation(db_session)
                person = make_person(db_session, PersonRole.EDUCATION, organisation=school, password=None)
            else:
                person = demo(name)
            _token, secret = create_token(db_session, Actor.command(), person, "api test")
            made[name] = {"Authorization": f"Bearer {secret}"}
        return made[name]

    return headers


LEAVING = {"reason": "Jo has moved to another authority"}


def plan_of(db: Session, child_name: str) -> Plan:
    return db.exec(
        select(Plan)
        .join(Child, col(Child.id) == col(Plan.child_id))
        .where(col(Child.full_name) == child_name)
    ).one()


def item_of(db: Session, plan: Plan, section: Section, author: Person, index: int = 0) -> Item:
    return db.exec(
        select(Item)
        .where(col(Item.plan_id) == plan.id, col(Item.section) == section, col(Item.author_id) == author.id)
        .order_by(col(Item.id))
    ).all()[index]


@pytest.fixture
def events(db_session: Session, demo: Demo) -> Events:
    """The audit events of one action written during the test (after the demo world was built)."""
    start = db_session.exec(select(func.max(AuditEvent.id))).one() or 0

    def written(action: str, object_id: int | None = None) -> list[AuditEvent]:
        query = select(AuditEvent).where(col(AuditEvent.id) > start, col(AuditEvent.action) == action)
        if object_id is not None:
            query = query.where(col(AuditEvent.object_id) == str(object_id))
        return list(db_session.exec(query.order_by(col(AuditEvent.id))))

    return written


def first_loc(response: Any) -> tuple[int, list[str] | None]:
    """The status and, for a 422, where the first problem is."""
    body = response.json()
    detail = body.get("detail")
    return response.status_code, detail[0]["loc"] if isinstance(detail, list) else None


@pytest.fixture
def sam(db_session: Session, demo: Demo) -> Plan:
    return plan_of(db_session, "Sam Taylor")


@pytest.fixture
def ella(db_session: Session, demo: Demo) -> Plan:
    return plan_of(db_session, "Ella Morris")


# Seeing plans ------------------------------------------------------------------------------------


def test_the_list_shows_only_the_plans_i_may_see(client: TestClient, as_person: Headers) -> None:
    expected = {
        "Priya Shah": (200, ["Sam Taylor"]),
        "Alex Taylor": (200, ["Sam Taylor"]),
        "Sam Taylor": (200, ["Sam Taylor"]),
        "Dr Aisha Khan": (200, ["Sam Taylor"]),
        "Jo Green": (200, ["Sam Taylor"]),
        "Morgan Price": (200, ["Ella Morris", "Sam Taylor"]),  # Sam's for his assessment
        "Chris Wood": (200, ["Ella Morris"]),
        "Ella Morris": (200, ["Ella Morris"]),
        "Rita Okafor": (200, ["Ella Morris", "Sam Taylor"]),
        STRANGER: (200, []),
        "Admin": (403, None),
    }
    answers = {}
    for name in expected:
        response = client.get("/api/v1/plans", headers=as_person(name))
        children = (
            [plan["child"]["full_name"] for plan in response.json()] if response.status_code == 200 else None
        )
        answers[name] = (response.status_code, children)
    assert answers == expected


def test_a_plan_i_am_not_on_does_not_exist_for_me(
    client: TestClient, db_session: Session, as_person: Headers, sam: Plan, ella: Plan, events: Events
) -> None:
    suffixes = ["", "/items", "/members", "/versions", "/reviews", "/changes"]
    # A stranger on Sam's plan, Priya on Ella's and on a plan nobody has, the administrator on any plan
    # (issue 22, finding 11): all absent alike.
    asked = [(STRANGER, sam.id), ("Priya Shah", ella.id), ("Priya Shah", 999999), ("Admin", sam.id)]
    answers = {
        (name, plan_id, suffix): client.get(
            f"/api/v1/plans/{plan_id}{suffix}", headers=as_person(name)
        ).json()
        for name, plan_id in asked
        for suffix in suffixes
    }
    expected = {
        (name, plan_id, suffix): {"detail": "Not Found"} for name, plan_id in asked for suffix in suffixes
    }
    assert answers == expected
    refused = events("plan.refused", sam.id)
    assert len(refused) == 2 * len(suffixes)  # the stranger's and the administrator's
    assert {event.outcome for event in refused} == {Outcome.REFUSED}


def test_the_plan_reads_as_sections_with_current_items(
    client: TestClient, as_person: Headers, sam: Plan
) -> None:
    response = client.get(f"/api/v1/plans/{sam.id}", headers=as_person("Priya Shah"))
    assert response.status_code == 200
    plan = response.json()
    assert (plan["reference"], plan["kind"], plan["version"]) == (sam.reference, "sen_support", 2)
    assert plan["child"]["full_name"] == "Sam Taylor"
    assert plan["setting"]["name"] == "Riverside Primary School"
    assert plan["local_authority"]["name"] == "Northshire County Council"
    assert (plan["my_role"], plan["is_coordinator"]) == ("education", True)
    assert plan["next_steps"] == ["move_to_stage", "close"]
    sections = {section["section"]: section for section in plan["sections"]}
    assert list(sections) == ["A", "B", "C", "D", "K", "E", "F", "G", "H1"]
    assert (sections["B"]["stage"], sections["F"]["stage"]) == ("Assess: what we know", "Do: the support")
    # The demo's 24 items (with Priya's advice), less the view Sam chose to show Alex and Tom Baker only.
    assert sum(len(section["items"]) for section in plan["sections"]) == 23
    lunch = sections["F"]["items"][2]
    assert (lunch["quantity"], lunch["author"]["display_name"]) == ("5 sessions a week", "Priya Shah")
    assert lunch["comments"][0]["author"]["display_name"] == "Alex Taylor"
    instructions = sections["E"]["items"][0]
    assert (instructions["revision_number"], instructions["revised_by"]["display_name"]) == (2, "Tom Baker")
    assert "written checklist" in instructions["text"]
    assert plan["members"][0]["person"]["display_name"] == "Priya Shah"
    assert len(plan["members"]) == 7  # with Morgan Price, the case officer of Sam's assessment
    # Dr Khan reads everything and writes in the health sections, views and advice.
    khan = client.get(f"/api/v1/plans/{sam.id}", headers=as_person("Dr Aisha Khan")).json()
    assert {section["section"] for section in khan["sections"] if section["writable"]} == {"A", "C", "G", "K"}
    assert (khan["my_role"], khan["next_steps"], khan["may_comment"]) == ("health", [], True)
    # Rita audits Northshire's plans: she reads them, and is not on them.
    rita = client.get(f"/api/v1/plans/{sam.id}", headers=as_person("Rita Okafor")).json()
    assert (rita["my_role"], rita["may_comment"]) == (None, False)
    assert not any(section["writable"] for section in rita["sections"])


def test_items_can_be_asked_for_by_section_or_kind(client: TestClient, as_person: Headers, sam: Plan) -> None:
    expected = {
        "": (200, {"A", "B", "C", "D", "E", "F", "G", "H1", "K"}),
        "?section=F": (200, {"F"}),
        "?kind=need": (200, {"B", "C", "D"}),
        "?section=F&kind=need": (200, set()),
        "?section=I": (200, set()),
        "?section=Z": (422, {"query"}),
        "?kind=wish": (422, {"query"}),
        "?section=": (422, {"query"}),
    }
    answers = {}
    for query in expected:
        response = client.get(f"/api/v1/plans/{sam.id}/items{query}", headers=as_person("Alex Taylor"))
        body = response.json()
        answers[query] = (
            response.status_code,
            {item["section"] for item in body}
            if response.status_code == 200
            else {problem["loc"][0] for problem in body["detail"]},
        )
    assert answers == expected


# Starting plans ----------------------------------------------------------------------------------


def new_plan(kind: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "child_full_name": "Noah Green",
        "child_date_of_birth": "2016-09-01",
        "child_school_year": "Year 5",
        **changes,
    }


def test_a_senco_starts_a_sen_support_plan(
    client: TestClient, db_session: Session, as_person: Headers, events: Events
) -> None:
    response = client.post("/api/v1/plans", json=new_plan("sen_support"), headers=as_person("Priya Shah"))
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["cycle_stage"]) == ("active", "assess")
    plan = client.get(response.headers["Location"], headers=as_person("Priya Shah")).json()
    assert plan["setting"]["name"] == "Riverside Primary School"
    assert (plan["child"]["full_name"], plan["my_role"], plan["is_coordinator"]) == (
        "Noah Green",
        "education",
        True,
    )
    created = events("plan.created", plan["id"])
    assert [(event.channel, event.outcome) for event in created] == [(Channel.API, Outcome.DONE)]


def test_an_la_case_officer_starts_an_ehc_plan(client: TestClient, as_person: Headers, demo: Demo) -> None:
    body = new_plan("ehc", setting_id=demo("Chris Wood").organisation_id)
    response = client.post("/api/v1/plans", json=body, headers=as_person("Morgan Price"))
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["status"]) == ("ehc", "draft")
    plan = client.get(response.headers["Location"], headers=as_person("Morgan Price")).json()
    assert (plan["setting"]["name"], plan["my_role"]) == ("Hillcrest Academy", "local_authority")
    listed = client.get("/api/v1/plans", headers=as_person("Rita Okafor")).json()
    assert "Noah Green" in {plan["child"]["full_name"] for plan in listed}


def test_only_the_right_role_starts_each_kind_of_plan(
    client: TestClient, db_session: Session, as_person: Headers, events: Events
) -> None:
    # The wrong role for that kind of plan is a refusal (403, audited), not something to retype.
    expected = {
        ("Priya Shah", "ehc"): (403, "Only a local authority case officer can start an EHC plan"),
        ("Morgan Price", "sen_support"): (403, "Only a school's SENCo can start a SEN Support plan"),
        ("Dr Aisha Khan", "sen_support"): (403, "Your role does not allow this."),
        ("Alex Taylor", "ehc"): (403, "Your role does not allow this."),
        ("Rita Okafor", "ehc"): (403, "Your role does not allow this."),
    }
    answers = {}
    for name, kind in expected:
        response = client.post("/api/v1/plans", json=new_plan(kind), headers=as_person(name))
        answers[name, kind] = (response.status_code, response.json()["detail"])
    assert answers == expected
    assert db_session.exec(select(Child).where(col(Child.full_name) == "Noah Green")).first() is None
    assert len(events("plan.create_refused")) == 2


def test_bad_plan_details_are_named_beside_their_field(
    client: TestClient, db_session: Session, as_person: Headers
) -> None:
    elsewhere = make_organisation(db_session)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    expected = {
        ("Priya Shah", "child_date_of_birth", tomorrow): "Date of birth must be in the past",
        ("Priya Shah", "child_full_name", "   "): "Enter some words: this cannot be blank",
        (
            "Priya Shah",
            "child_full_name",
            "Noah\x00",
        ): "Remove the invisible control character (NUL) from this text",
        (
            "Priya Shah",
            "child_date_of_birth",
            "2016-02-30",
        ): "Input should be a valid date or datetime, day value is outside expected range",
        ("Priya Shah", "kind", "statement"): "Input should be 'sen_support', 'isp' or 'ehc'",
        ("Morgan Price", "setting_id", elsewhere.id): "Select a school or college in your local authority",
        ("Morgan Price", "setting_id", 0): "Input should be greater than or equal to 1",
    }
    answers = {}
    for name, field, value in expected:
        body = {**new_plan("ehc" if name == "Morgan Price" else "sen_support"), field: value}
        response = client.post("/api/v1/plans", json=body, headers=as_person(name))
        assert response.status_code == 422, (field, value)
        [problem] = response.json()["detail"]
        assert problem["loc"] == ["body", field]
        answers[name, field, value] = problem["msg"]
    assert answers == expected


SPACES = ["\t", "\u0085", "\u00a0", "\u2003", "\u2028", "\u3000", "\ufeff"]


def test_text_of_spaces_is_blank_to_the_schema_and_to_the_checks_alike(
    client: TestClient, as_person: Headers
) -> None:
    """The OpenAPI schema's patterns are read as ECMAScript reads them (by API clients, by schemathesis);
    the API checks them with pydantic's own engine. Their `\\s` differ (U+0085, U+FEFF), and the API
    contract once found "\\u0085" allowed by the schema but refused as blank: both must refuse them all."""
    schema = client.get("/openapi.json").json()
    pattern = schema["components"]["schemas"]["PlanIn"]["properties"]["child_full_name"]["pattern"]
    script = (
        "const pattern = new RegExp(process.argv[1]);"
        "console.log(JSON.stringify(JSON.parse(process.argv[2]).map((text) => pattern.test(text))))"
    )
    node = subprocess.run(
        ["node", "-e", script, pattern, json.dumps([space * 3 for space in SPACES])],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    answers = [
        client.post(
            "/api/v1/plans",
            json={**new_plan("sen_support"), "child_full_name": space * 3},
            headers=as_person("Priya Shah"),
        ).status_code
        for space in SPACES
    ]
    assert json.loads(node.stdout) == [False] * len(SPACES)
    assert answers == [422] * len(SPACES)


def test_words_are_kept_without_the_spaces_around_them_whichever_spaces_they_are(
    client: TestClient, as_person: Headers
) -> None:
    """A name pasted with a no-break space or an ideographic space around it is kept as the name."""
    around = "".join(SPACES)
    response = client.post(
        "/api/v1/plans",
        json=new_plan("sen_support", child_full_name=f"{around}Noah Green{around}"),
        headers=as_person("Priya Shah"),
    )
    assert response.status_code == 201
    plan = client.get(response.headers["Location"], headers=as_person("Priya Shah")).json()
    assert plan["child"]["full_name"] == "Noah Green"


# Items -------------------------------------------------------------------------------------------

SECTION_BODIES: dict[str, dict[str, Any]] = {
    "A": {"text": "I like the library at lunch."},
    "B": {"text": "Finds long written tasks hard.", "area_of_need": "cognition_and_learning"},
    "C": {"text": "Tires easily after PE.", "area_of_need": "sensory_and_physical"},
    "D": {"text": "Needs help to join clubs.", "area_of_need": "independence"},
    "E": {"text": "Will write a paragraph on his own by July.", "achieve_by": "2027-07-16"},
    "F": {"text": "Writing frame in every lesson.", "amount": 5, "unit": "sessions", "frequency": "week"},
    "G": {"text": "Physiotherapy review.", "amount": 1, "unit": "sessions", "frequency": "term"},
    "H1": {"text": "Youth club with a trained worker.", "amount": 2, "unit": "hours", "frequency": "week"},
    "K": {"text": "Speech and language report (November)."},
}


def test_each_person_writes_in_their_own_sections(
    client: TestClient, db_session: Session, as_person: Headers, sam: Plan, events: Events
) -> None:
    expected = {
        ("Dr Aisha Khan", "C"): 201,
        ("Dr Aisha Khan", "G"): 201,
        ("Dr Aisha Khan", "K"): 201,
        ("Dr Aisha Khan", "F"): 403,
        ("Dr Aisha Khan", "B"): 403,
        ("Alex Taylor", "A"): 201,
        ("Alex Taylor", "F"): 403,
        ("Sam Taylor", "A"): 201,
        ("Sam Taylor", "K"): 403,
        ("Tom Baker", "B"): 201,
        ("Tom Baker", "E"): 201,
        ("Tom Baker", "F"): 201,
        ("Tom Baker", "G"): 403,
        ("Jo Green", "D"): 201,
        ("Jo Green", "H1"): 201,
        ("Jo Green", "C"): 403,
        ("Priya Shah", "E"): 201,
        ("Priya Shah", "K"): 201,
        ("Rita Okafor", "B"): 403,
        ("Rita Okafor", "A"): 403,
        ("Admin", "B"): 404,
        (STRANGER, "B"): 404,
        ("Morgan Price", "B"): 403,  # on Sam's plan for the council's assessment, not writing in B
    }
    answers = {}
    for name, section in expected:
        body = {"section": section, **SECTION_BODIES[section]}
        response = client.post(f"/api/v1/plans/{sam.id}/items", json=body, headers=as_person(name))
        answers[name, section] = response.status_code
        if response.status_code == 201:
            item = response.json()
            assert response.headers["Location"] == f"/api/v1/plans/{sam.id}/items/{item['id']}"
            assert response.headers["ETag"] == '"1"'
            assert (item["section"], item["revision_number"], item["author"]["display_name"]) == (
                section,
                1,
                name,
            )
            assert (item["text"], item["may_revise"]) == (body["text"], True)
            assert events("item.added", item["id"])[0].channel is Channel.API
    assert answers == expected
    khan_refused = client.post(
        f"/api/v1/plans/{sam.id}/items",
        json={"section": "F", **SECTION_BODIES["F"]},
        headers=as_person("Dr Aisha Khan"),
    )
    assert khan_refused.json()["detail"] == "Your part in this plan does not include writing in section F."


def test_a_view_recorded_on_someones_behalf_names_them(
    client: TestClient, as_person: Headers, demo: Demo, sam: Plan
) -> None:
    body = {"section": "A", "text": "Alex says mornings are easier now.", "voice_id": demo("Alex Taylor").id}
    response = client.post(f"/api/v1/plans/{sam.id}/items", json=body, headers=as_person("Priya Shah"))
    assert response.status_code == 201
    item = response.json()
    assert (item["author"]["display_name"], item["voice"]["display_name"]) == ("Priya Shah", "Alex Taylor")


def test_item_problems_are_named_beside_their_field(
    client: TestClient, db_session: Session, as_person: Headers, sam: Plan
) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"section": "A", "text": "Words without a voice."}, "voice_id"),
        ({"section": "A", "text": "Words.", "voice_id": 99999999999999}, "voice_id"),
        ({"section": "B", "text": "A need with no area."}, "area_of_need"),
        ({"section": "B", "text": "   ", "area_of_need": "independence"}, "text"),
        ({"section": "B", "text": "", "area_of_need": "independence"}, "text"),
        ({"section": "F", "text": "Some support.", "amount": 3}, "unit"),
        ({"section": "F", "text": "Support.", "amount": -1}, "amount"),
        (
            {"section": "F", "text": "Support.", "delivered_by_organisation_id": 999999},
            "delivered_by_organisation_id",
        ),
        ({"section": "I", "text": "A school."}, "section"),
        ({"section": "Q", "text": "Somewhere."}, "section"),
    ]
    answers = {}
    for body, _field in cases:
        response = client.post(f"/api/v1/plans/{sam.id}/items", json=body, headers=as_person("Priya Shah"))
        answers[str(body)] = first_loc(response)
    assert answers == {str(body): (422, ["body", field]) for body, field in cases}
    assert db_session.exec(select(Item).where(col(Item.plan_id) == sam.id)).all().__len__() == 24, (
        "none added"
    )


def test_an_item_reads_with_its_revisions_comments_and_etag(
    client: TestClient,
    db_session: Session,
    as_person: Headers,
    demo: Demo,
    sam: Plan,
    ella: Plan,
    events: Events,
) -> None:
    item = item_of(db_session, sam, Section.E, demo("Priya Shah"))
    response = client.get(f"/api/v1/plans/{sam.id}/items/{item.id}", headers=as_person("Alex Taylor"))
    assert response.status_code == 200
    assert response.headers["ETag"] == '"2"'
    body = response.json()
    assert [(revision["number"], revision["author"]["display_name"]) for revision in body["revisions"]] == [
        (1, "Priya Shah"),
        (2, "Tom Baker"),
    ]
    assert body["text"] == body["revisions"][-1]["text"]
    assert (body["achieve_by"], body["may_revise"]) == ("2027-07-16", False)
    read = events("item.read", item.id)
    assert [(event.actor_id, event.channel) for event in read] == [(demo("Alex Taylor").id, Channel.API)]
    # An item of another plan is absent, even to someone who may see that other plan.
    ellas = item_of(db_session, ella, Section.F, demo("Chris Wood"))
    assert (
        client.get(f"/api/v1/plans/{sam.id}/items/{ellas.id}", headers=as_person("Rita Okafor")).status_code
        == 404
    )


def test_edits_need_the_etag_and_never_lose_anyones_words(
    client: TestClient, db_session: Session, as_person: Headers, demo: Demo, sam: Plan, events: Events
) -> None:
    lunch = item_of(db_session, sam, Section.F, demo("Priya Shah"), index=1)
    path = f"/api/v1/plans/{sam.id}/items/{lunch.id}"
    original = client.get(path, headers=as_person("Priya Shah")).json()["text"]
    assert client.get(path, headers=as_person("Tom Baker")).headers["ETag"] == '"1"'
    # Agreed at Sam's review, so each change says why (tests/test_provision_changes.py has the rest).
    quantity = {"amount": 5, "unit": "sessions", "frequency": "week", "reason": "Agreed with Alex."}
    toms = {"text": "A quiet place for lunch (the library) with one friend, every day.", **quantity}
    priyas = {"text": "Lunch in the library with a friend, and a quiet space at break.", **quantity}

    missing = client.put(path, json=toms, headers=as_person("Tom Baker"))
    assert missing.status_code == 428
    assert "Send If-Match with the ETag from GET" in missing.json()["detail"]
    star = client.put(path, json=toms, headers={**as_person("Tom Baker"), "If-Match": "*"})
    assert (star.status_code, star.json()["detail"]) == (428, missing.json()["detail"])

    saved = client.put(path, json=toms, headers={**as_person("Tom Baker"), "If-Match": '"1"'})
    assert saved.status_code == 200
    assert saved.headers["ETag"] == '"2"'
    assert (saved.json()["revision_number"], saved.json()["revised_by"]["display_name"]) == (2, "Tom Baker")
    assert saved.json()["author"]["display_name"] == "Priya Shah"

    # Priya edited revision 1 too: her save is refused with Tom's words, and nothing is written.
    reads = len(events("item.read", lunch.id))
    stale = client.put(path, json=priyas, headers={**as_person("Priya Shah"), "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["ETag"] == '"2"'
    assert "nothing was saved" in stale.json()["detail"]
    current = stale.json()["current"]
    assert (current["number"], current["text"], current["author"]["display_name"]) == (
        2,
        toms["text"],
        "Tom Baker",
    )
    assert current["created_at"]
    # Tom's words reached Priya: that is a read of the plan, audited like GET.
    shown = events("item.read", lunch.id)[reads:]
    assert [event.actor_id for event in shown] == [demo("Priya Shah").id]
    for tag in ['W/"2"', '"abc"', "2", '"99999999999"']:
        assert (
            client.put(path, json=priyas, headers={**as_person("Priya Shah"), "If-Match": tag}).status_code
            == 412
        )
    assert len(db_session.exec(select(ItemRevision).where(col(ItemRevision.item_id) == lunch.id)).all()) == 2

    merged = client.put(path, json=priyas, headers={**as_person("Priya Shah"), "If-Match": '"1", "2"'})
    assert (merged.status_code, merged.headers["ETag"]) == (200, '"3"')
    history = client.get(path, headers=as_person("Alex Taylor")).json()
    assert [revision["text"] for revision in history["revisions"]] == [original, toms["text"], priyas["text"]]
    revised = events("item.revised", lunch.id)
    assert [(event.actor_id, event.details["revision"]) for event in revised] == [
        (demo("Tom Baker").id, 2),
        (demo("Priya Shah").id, 3),
    ]


def test_people_change_only_what_is_theirs_to_change(
    client: TestClient, db_session: Session, as_person: Headers, demo: Demo, sam: Plan
) -> None:
    expected = {
        ("Dr Aisha Khan", "F", "Priya Shah"): 403,
        ("Alex Taylor", "A", "Sam Taylor"): 403,
        ("Tom Baker", "K", "Dr Aisha Khan"): 403,
        ("Rita Okafor", "B", "Priya Shah"): 403,
        ("Sam Taylor", "A", "Sam Taylor"): 200,
        ("Dr Aisha Khan", "K", "Dr Aisha Khan"): 200,
        ("Jo Green", "H1", "Jo Green"): 200,
        ("Tom Baker", "F", "Priya Shah"): 200,
    }
    body = {"text": "Changed words.", "amount": 1, "unit": "hours", "frequency": "week"}
    body["reason"] = "Agreed with Alex."  # Sam's provision was agreed at his review
    answers = {}
    for name, section, author in expected:
        item = item_of(db_session, sam, Section(section), demo(author))
        path = f"/api/v1/plans/{sam.id}/items/{item.id}"
        # Refused before the precondition is looked at: without If-Match the refusal is the same.
        unconditional = client.put(path, json=body, headers=as_person(name)).status_code
        conditional = client.put(path, json=body, headers={**as_person(name), "If-Match": '"1"'}).status_code
        assert unconditional == (428 if conditional == 200 else conditional)
        answers[name, section, author] = conditional
    assert answers == expected


def test_an_edit_is_checked_like_a_new_item(
    client: TestClient, db_session: Session, as_person: Headers, demo: Demo, sam: Plan
) -> None:
    need = item_of(db_session, sam, Section.B, demo("Tom Baker"))
    path = f"/api/v1/plans/{sam.id}/items/{need.id}"
    response = client.put(
        path, json={"text": "No area."}, headers={**as_person("Tom Baker"), "If-Match": '"1"'}
    )
    assert first_loc(response) == (422, ["body", "area_of_need"])
    assert client.get(path, headers=as_person("Tom Baker")).headers["ETag"] == '"1"'


def test_anyone_on_the_plan_comments(
    client: TestClient, db_session: Session, as_person: Headers, demo: Demo, sam: Plan, events: Events
) -> None:
    expected = {
        "Alex Taylor": 201,
        "Sam Taylor": 201,
        "Tom Baker": 201,
        "Dr Aisha Khan": 201,
        "Jo Green": 201,
        "Priya Shah": 201,
        "Rita Okafor": 403,
        "Admin": 404,  # a plan they may not see (issue 22, finding 11)
        STRANGER: 404,
        "Chris Wood": 404,
    }
    item = item_of(db_session, sam, Section.G, demo("Dr Aisha Khan"))
    path = f"/api/v1/plans/{sam.id}/items/{item.id}"
    answers = {}
    for name in expected:
        response = client.post(
            f"{path}/comments",
            json={"text": f"  {name}: can this start before half-term?  "},
            headers=as_person(name),
        )
        answers[name] = response.status_code
        if response.status_code == 201:
            comment = response.json()
            assert (comment["text"], comment["author"]["display_name"]) == (
                f"{name}: can this start before half-term?",
                name,
            )
            assert events("comment.added", comment["id"])[0].actor_id == demo(name).id
    assert answers == expected
    comments = client.get(path, headers=as_person("Dr Aisha Khan")).json()["comments"]
    assert [comment["author"]["display_name"] for comment in comments] == [
        name for name, status in expected.items() if status == 201
    ]
    for text in ["   ", ""]:
        empty = client.post(f"{path}/comments", json={"text": text}, headers=as_person("Alex Taylor"))
        assert first_loc(empty) == (422, ["body", "text"])


# Members -----------------------------------------------------------------------------------------


def member_id(client: TestClient, plan: Plan, headers: dict[str, str], name: str) -> int:
    listed = client.get(f"/api/v1/plans/{plan.id}/members", headers=headers).json()
    return int(next(member["id"] for member in listed if member["person"]["display_name"] == name))


def test_the_coordinator_adds_and_removes_members(
    client: TestClient, db_session: Session, as_person: Headers, demo: Demo, sam: Plan, events: Events
) -> None:
    priya = as_person("Priya Shah")
    listed = client.get(f"/api/v1/plans/{sam.id}/members", headers=priya).json()
    assert (listed[0]["person"]["display_name"], listed[0]["is_coordinator"]) == ("Priya Shah", True)
    assert len(listed) == 7  # with Morgan Price, the case officer of Sam's assessment

    body = {"role": "reader", "person_id": demo("Chris Wood").id}
    assert client.get(f"/api/v1/plans/{sam.id}", headers=as_person("Chris Wood")).status_code == 404
    added = client.post(f"/api/v1/plans/{sam.id}/members", json=body, headers=priya)
    assert added.status_code == 201
    assert (added.json()["person"]["display_name"], added.json()["role"]) == ("Chris Wood", "reader")
    assert client.get(f"/api/v1/plans/{sam.id}", headers=as_person("Chris Wood")).status_code == 200
    invited = client.post(
        f"/api/v1/plans/{sam.id}/members",
        json={"role": "parent_carer", "email": "gran.taylor@family.example", "display_name": "Pat Taylor"},
        headers=priya,
    )
    assert (invited.status_code, invited.json()["person"]["display_name"]) == (201, "Pat Taylor")

    jo = member_id(client, sam, priya, "Jo Green")
    assert client.get(f"/api/v1/plans/{sam.id}", headers=as_person("Jo Green")).status_code == 200
    assert (
        client.request(
            "DELETE", f"/api/v1/plans/{sam.id}/members/{jo}", json=LEAVING, headers=priya
        ).status_code
        == 204
    )
    assert client.get(f"/api/v1/plans/{sam.id}", headers=as_person("Jo Green")).status_code == 404
    assert (
        client.request(
            "DELETE", f"/api/v1/plans/{sam.id}/members/{jo}", json=LEAVING, headers=priya
        ).status_code
        == 404
    )
    # Her words stay, with her name on them.
    social = client.get(f"/api/v1/plans/{sam.id}/items?section=D", headers=priya).json()
    assert social[0]["author"]["display_name"] == "Jo Green"
    assert [event.object_id for event in events("member.removed")] == [str(jo)]
    added_here = [event for event in events("member.added") if event.channel is Channel.API]
    assert [event.object_id for event in added_here] == [str(added.json()["id"]), str(invited.json()["id"])]


def test_removing_someone_needs_a_reason_the_history_keeps(
    client: TestClient, as_person: Headers, sam: Plan, events: Events
) -> None:
    priya = as_person("Priya Shah")
    jo = member_id(client, sam, priya, "Jo Green")
    unsaid = client.delete(f"/api/v1/plans/{sam.id}/members/{jo}", headers=priya)
    assert first_loc(unsaid) == (422, ["body"])
    blank = client.request(
        "DELETE", f"/api/v1/plans/{sam.id}/members/{jo}", json={"reason": " "}, headers=priya
    )
    assert first_loc(blank) == (422, ["body", "reason"])
    assert client.get(f"/api/v1/plans/{sam.id}", headers=as_person("Jo Green")).status_code == 200
    assert events("member.removed") == []

    said = client.request("DELETE", f"/api/v1/plans/{sam.id}/members/{jo}", json=LEAVING, headers=priya)
    assert said.status_code == 204
    [removed] = events("member.removed")
    assert removed.reason_digest is not None


def test_member_problems_are_named_beside_their_field(
    client: TestClient, as_person: Headers, sam: Plan
) -> None:
    jo = "jo.green@childrens-services.example"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"role": "health", "person_id": 0}, "person_id"),
        ({"role": "health", "person_id": 999999}, "person_id"),
        ({"role": "reader", "email": "not-an-address"}, "email"),
        ({"role": "reader", "email": "nobody@nowhere.example"}, "email"),
        ({"role": "parent_carer", "email": "new.parent@family.example"}, "display_name"),
        ({"role": "health", "email": jo}, "role"),
        ({"role": "social_care", "email": jo}, "email"),
        ({"role": "governor", "email": "someone@example.com"}, "role"),
    ]
    answers = {
        str(body): first_loc(
            client.post(f"/api/v1/plans/{sam.id}/members", json=body, headers=as_person("Priya Shah"))
        )
        for body, _field in cases
    }
    assert answers == {str(body): (422, ["body", field]) for body, field in cases}


def test_only_the_coordinator_changes_who_is_on_the_plan(
    client: TestClient, as_person: Headers, demo: Demo, sam: Plan
) -> None:
    jo = member_id(client, sam, as_person("Priya Shah"), "Jo Green")
    body = {"role": "reader", "person_id": demo("Morgan Price").id}
    answers = {
        name: (
            client.post(f"/api/v1/plans/{sam.id}/members", json=body, headers=as_person(name)).status_code,
            client.request(
                "DELETE", f"/api/v1/plans/{sam.id}/members/{jo}", json=LEAVING, headers=as_person(name)
            ).status_code,
        )
        for name in ["Tom Baker", "Alex Taylor", "Dr Aisha Khan", "Rita Okafor", "Chris Wood"]
    }
    assert answers == {
        "Tom Baker": (403, 403),
        "Alex Taylor": (403, 403),
        "Dr Aisha Khan": (403, 403),
        "Rita Okafor": (403, 403),
        "Chris Wood": (404, 404),
    }


def test_the_coordinator_hands_the_plan_on(
    client: TestClient, db_session: Session, as_person: Headers, sam: Plan, events: Events
) -> None:
    priya = as_person("Priya Shah")
    tom, khan = member_id(client, sam, priya, "Tom Baker"), member_id(client, sam, priya, "Dr Aisha Khan")
    me = member_id(client, sam, priya, "Priya Shah")

    assert first_loc(
        client.request("DELETE", f"/api/v1/plans/{sam.id}/members/{me}", json=LEAVING, headers=priya)
    ) == (
        422,
        ["path", "member_id"],
    )
    not_education = client.post(f"/api/v1/plans/{sam.id}/members/{khan}/coordinator", headers=priya)
    assert not_education.json()["detail"] == [
        {
            "loc": ["path", "member_id"],
            "msg": "The coordinator of this plan must be on it as education",
            "type": "value_error",
        }
    ]

    handed = client.post(f"/api/v1/plans/{sam.id}/members/{tom}/coordinator", headers=priya)
    assert handed.status_code == 200
    assert (handed.json()["person"]["display_name"], handed.json()["is_coordinator"]) == ("Tom Baker", True)
    assert client.get(f"/api/v1/plans/{sam.id}", headers=as_person("Tom Baker")).json()["is_coordinator"]
    # Priya is still on the plan, no longer its coordinator; Tom may now remove her.
    assert client.post(f"/api/v1/plans/{sam.id}/members/{tom}/coordinator", headers=priya).status_code == 403
    assert (
        client.request(
            "DELETE", f"/api/v1/plans/{sam.id}/members/{me}", json=LEAVING, headers=as_person("Tom Baker")
        ).status_code
        == 204
    )
    assert [event.object_id for event in events("coordinator.handed_on")] == [str(tom)]


# Stages, versions and changes --------------------------------------------------------------------


def test_an_issued_plan_changes_only_through_a_review(
    client: TestClient, db_session: Session, as_person: Headers, demo: Demo, ella: Plan, events: Events
) -> None:
    morgan, chris = as_person("Morgan Price"), as_person("Chris Wood")
    travel = item_of(db_session, ella, Section.F, demo("Chris Wood"))
    path = f"/api/v1/plans/{ella.id}/items/{travel.id}"
    body = {"text": "Travel training with a key worker, then on her own with a phone check-in.", "amount": 2}
    body |= {"unit": "sessions", "frequency": "week", "reason": "Ella asked to travel on her own."}

    issued = client.put(path, json=body, headers={**chris, "If-Match": '"1"'})
    assert issued.status_code == 409
    assert "through a review" in issued.json()["detail"]
    new_item = {"section": "F", **SECTION_BODIES["F"]}
    assert client.post(f"/api/v1/plans/{ella.id}/items", json=new_item, headers=chris).status_code == 409

    steps = f"/api/v1/plans/{ella.id}/steps"
    assert client.post(steps, json={"step": "start_review"}, headers=chris).status_code == 403
    assert client.post(steps, json={"step": "issue"}, headers=morgan).status_code == 409
    review = client.post(steps, json={"step": "start_review"}, headers=morgan)
    assert review.status_code == 200
    assert (review.json()["status"], review.json()["version"]) == ("under_review", 2)
    assert review.json()["next_steps"] == ["send_for_consultation", "cease"]
    assert [event.actor_id for event in events("plan.start_review", ella.id)] == [demo("Morgan Price").id]

    assert client.put(path, json=body, headers={**chris, "If-Match": '"1"'}).status_code == 200

    versions = client.get(f"/api/v1/plans/{ella.id}/versions", headers=as_person("Ella Morris")).json()
    assert [
        (version["number"], version["occasion"], version["made_by"]["display_name"]) for version in versions
    ] == [(1, "issued", "Morgan Price")]
    for query in ["?from_version=1&to_version=current", "?from_version=1", "", f"?since={TODAY.isoformat()}"]:
        response = client.get(f"/api/v1/plans/{ella.id}/changes{query}", headers=as_person("Ella Morris"))
        assert response.status_code == 200, query
        changed = response.json()["changes"]
        assert [change["item_id"] for change in changed] == [travel.id], query
        assert (changed[0]["revision_before"], changed[0]["revision_after"]) == (1, 2)
        assert changed[0]["revised_by"]["display_name"] == "Chris Wood"
        pieces = {(piece["change"], piece["text"]) for piece in changed[0]["words"]}
        assert {("removed", "until Ella travels"), ("added", "then"), ("same", " on her ")} <= pieces
    unchanged = client.get(f"/api/v1/plans/{ella.id}/changes?from_version=1&to_version=1", headers=morgan)
    assert unchanged.json() == {"compared": "version 1 to version 1", "changes": []}


def test_bad_change_questions_are_named(client: TestClient, as_person: Headers, ella: Plan) -> None:
    expected = {
        "?from_version=7": ["query", "from_version"],
        "?from_version=1&to_version=9": ["query", "to_version"],
        "?from_version=abc": ["query", "from_version"],
        "?from_version=0": ["query", "from_version"],
        "?from_version=-1": ["query", "from_version"],
        "?from_version=99999999999999999999": ["query", "from_version"],
        "?to_version=current%00": ["query", "to_version"],
        "?since=2026-02-30": ["query", "since"],
        "?since=yesterday": ["query", "since"],
        "?since=2026-01-01&from_version=1": ["query", "since"],
        "?since=2026-01-01&to_version=1": ["query", "to_version"],
    }
    answers = {}
    for query in expected:
        status, loc = first_loc(
            client.get(f"/api/v1/plans/{ella.id}/changes{query}", headers=as_person("Morgan Price"))
        )
        assert status == 422, query
        answers[query] = loc
    assert answers == expected


def test_changes_since_a_day_list_what_was_written_since(
    client: TestClient, as_person: Headers, sam: Plan
) -> None:
    alex = as_person("Alex Taylor")
    long_ago = client.get(f"/api/v1/plans/{sam.id}/changes?since=0001-01-01", headers=alex).json()
    assert len(long_ago["changes"]) == 24  # Alex may read every view of Sam's
    assert {change["revision_before"] for change in long_ago["changes"]} == {None}
    week = (TODAY - timedelta(days=5)).isoformat()
    recent = client.get(f"/api/v1/plans/{sam.id}/changes?since={week}", headers=alex).json()
    assert recent["compared"] == f"since {week}"
    # The five views written after the review (app/services/demo/voices.py), and Tom's revision.
    recent_changes = [(change["section"], change["revision_after"]) for change in recent["changes"]]
    assert recent_changes == [("A", 1)] * 5 + [("E", 2)]
    future = client.get(f"/api/v1/plans/{sam.id}/changes?since=9999-12-31", headers=alex).json()
    assert future["changes"] == []


def test_steps_say_what_is_missing(client: TestClient, as_person: Headers, sam: Plan) -> None:
    expected: dict[str, tuple[int, list[str] | None]] = {
        '{"step": "close"}': (422, ["body", "reason"]),
        '{"step": "move_to_stage"}': (422, ["body", "stage"]),
        '{"step": "send_for_consultation"}': (409, None),
        '{"step": "jump"}': (422, ["body", "step"]),
        '{"step": "move_to_stage", "stage": "do"}': (200, None),
    }
    answers = {}
    for body in expected:
        response = client.post(
            f"/api/v1/plans/{sam.id}/steps",
            content=body,
            headers={**as_person("Priya Shah"), "Content-Type": "application/json"},
        )
        answers[body] = first_loc(response) if response.status_code != 200 else (200, None)
    assert answers == expected
    assert (
        client.get(f"/api/v1/plans/{sam.id}", headers=as_person("Alex Taylor")).json()["cycle_stage"] == "do"
    )


def test_a_review_keeps_the_plan_as_a_version(
    client: TestClient, db_session: Session, as_person: Headers, sam: Plan, events: Events
) -> None:
    priya = as_person("Priya Shah")
    reviews = client.get(f"/api/v1/plans/{sam.id}/reviews", headers=as_person("Alex Taylor")).json()
    assert [review["recorded_by"]["display_name"] for review in reviews] == ["Priya Shah"]
    body = {
        "held_on": TODAY.isoformat(),
        "participants": "Alex Taylor, Priya Shah, Tom Baker",
        "what_worked": "The written checklist.",
        "what_changes": "Start the OT advice in assemblies.",
    }
    path = f"/api/v1/plans/{sam.id}/reviews"
    refused = {
        name: client.post(path, json=body, headers=as_person(name)).status_code
        for name in ["Alex Taylor", "Tom Baker", "Rita Okafor"]
    }
    assert refused == {"Alex Taylor": 403, "Tom Baker": 403, "Rita Okafor": 403}
    future = client.post(
        path, json={**body, "held_on": (TODAY + timedelta(days=1)).isoformat()}, headers=priya
    )
    assert first_loc(future) == (422, ["body", "held_on"])
    blank = client.post(path, json={**body, "what_worked": "  "}, headers=priya)
    assert first_loc(blank) == (422, ["body", "what_worked"])

    recorded = client.post(path, json=body, headers=priya)
    assert recorded.status_code == 201
    assert (recorded.json()["cycle_number"], recorded.json()["recorded_by"]["display_name"]) == (
        2,
        "Priya Shah",
    )
    assert recorded.json()["finished_at"] is None
    assert client.get(f"/api/v1/plans/{sam.id}", headers=priya).json()["version"] == 2
    review = f"{path}/{recorded.json()['id']}"
    for outcome in client.get(f"{review}/progress", headers=priya).json()["outcomes"]:
        rated = client.put(
            f"{review}/outcomes/{outcome['item_id']}/progress", json={"rating": "achieved"}, headers=priya
        )
        assert rated.status_code == 200
    assert client.post(f"{review}/finish", headers=priya).status_code == 200
    assert client.get(f"/api/v1/plans/{sam.id}", headers=priya).json()["version"] == 3
    versions = client.get(f"/api/v1/plans/{sam.id}/versions", headers=priya).json()
    assert [(version["number"], version["occasion"]) for version in versions] == [
        (1, "review"),
        (2, "review"),
    ]
    assert len(client.get(path, headers=priya).json()) == 2
    assert [event.object_id for event in events("review.recorded")][-1] == str(recorded.json()["id"])


# The audit trail ---------------------------------------------------------------------------------


def test_every_read_of_a_plan_is_audited_once(
    client: TestClient, db_session: Session, as_person: Headers, demo: Demo, sam: Plan, events: Events
) -> None:
    reads = {
        "": "plan.read",
        "/items": "plan.items_read",
        "/items?section=F": "plan.items_read",
        "/members": "plan.members_read",
        "/versions": "plan.versions_read",
        "/reviews": "plan.reviews_read",
        "/changes": "plan.changes_read",
        "/changes?from_version=1": "plan.changes_read",
    }
    rita = demo("Rita Okafor")
    answers = {}
    for suffix, action in reads.items():
        before = len(events(action, sam.id))
        assert (
            client.get(f"/api/v1/plans/{sam.id}{suffix}", headers=as_person("Rita Okafor")).status_code == 200
        )
        answers[suffix] = [
            (event.action, event.actor_id, event.channel, event.outcome)
            for event in events(action, sam.id)[before:]
        ]
    assert answers == {
        suffix: [(action, rita.id, Channel.API, Outcome.DONE)] for suffix, action in reads.items()
    }


def test_the_list_of_plans_is_audited(
    client: TestClient,
    db_session: Session,
    as_person: Headers,
    demo: Demo,
    sam: Plan,
    ella: Plan,
    events: Events,
) -> None:
    client.get("/api/v1/plans", headers=as_person("Rita Okafor"))
    listed = events("plans.listed")[-1]
    assert (listed.actor_id, listed.channel) == (demo("Rita Okafor").id, Channel.API)
    assert sorted(listed.details["plan_ids"]) == sorted([sam.id, ella.id])


def test_refused_writes_are_audited_and_change_nothing(
    client: TestClient, db_session: Session, as_person: Headers, demo: Demo, sam: Plan, events: Events
) -> None:
    body = {"section": "F", **SECTION_BODIES["F"]}
    path = f"/api/v1/plans/{sam.id}/items"
    assert client.post(path, json=body, headers=as_person("Dr Aisha Khan")).status_code == 403
    refusal = events("item.refused")[-1]
    assert (refusal.actor_id, refusal.outcome, refusal.object_id) == (
        demo("Dr Aisha Khan").id,
        Outcome.REFUSED,
        str(sam.id),
    )
    assert client.post(path, json=body, headers=as_person("Rita Okafor")).status_code == 403
    assert events("permission.refused")[-1].actor_id == demo("Rita Okafor").id
    assert len(db_session.exec(select(Item).where(col(Item.plan_id) == sam.id)).all()) == 24, "none added"


def test_a_wrong_method_names_the_ones_that_work(client: TestClient) -> None:
    expected = {
        "/api/v1/plans": "GET, POST",
        "/api/v1/plans/1/items": "GET, POST",
        "/api/v1/plans/1/items/1": "GET, PUT",
        "/api/v1/plans/1/members/1": "DELETE",
    }
    answers = {}
    for path in expected:
        response = client.request("PATCH", path)
        assert response.status_code == 405
        answers[path] = response.headers["Allow"]
    assert answers == expected


# One child, one record, one live plan of each kind ----------------------------------------------------


SAM = {"child_full_name": "Sam Taylor", "child_date_of_birth": "2017-05-14", "child_school_year": "Year 4"}


def test_a_second_live_plan_of_a_kind_is_refused_and_nothing_is_written(
    client: TestClient, db_session: Session, as_person: Headers, events: Events, sam: Plan
) -> None:
    children = db_session.exec(select(func.count()).select_from(Child)).one()

    again = client.post(
        "/api/v1/plans",
        json=new_plan("sen_support", **(SAM | {"child_full_name": "  sam   TAYLOR "})),
        headers=as_person("Priya Shah"),
    )

    assert again.status_code == 409
    assert again.json()["detail"] == f"Sam Taylor already has a live SEN Support plan: {sam.reference}"
    assert again.headers["Location"] == f"/api/v1/plans/{sam.id}", "Priya is on Sam's plan: she is shown it"
    assert db_session.exec(select(func.count()).select_from(Child)).one() == children
    assert events("plan.created") == []


def test_someone_not_on_the_live_plan_is_told_to_ask_its_coordinator_and_not_shown_it(
    client: TestClient, as_person: Headers, db_session: Session, sam: Plan
) -> None:
    school = db_session.get(Organisation, sam.setting_id)
    assert school is not None
    colleague = make_person(db_session, PersonRole.EDUCATION, organisation=school, password=None)
    _token, secret = create_token(db_session, Actor.command(), colleague, "api test")

    again = client.post(
        "/api/v1/plans", json=new_plan("sen_support", **SAM), headers={"Authorization": f"Bearer {secret}"}
    )

    assert again.status_code == 409
    assert again.json()["detail"] == (
        "Sam Taylor already has a live SEN Support plan. Ask its coordinator to add you to it"
    )
    assert "Location" not in again.headers
    assert sam.reference not in again.text


def test_an_ehc_plan_for_a_child_with_a_sen_support_plan_keeps_one_record_of_the_child(
    client: TestClient, db_session: Session, as_person: Headers, demo: Demo, sam: Plan
) -> None:
    body = new_plan("ehc", **SAM, setting_id=sam.setting_id)

    started = client.post("/api/v1/plans", json=body, headers=as_person("Morgan Price"))
    second = client.post("/api/v1/plans", json=body, headers=as_person("Morgan Price"))

    assert started.status_code == 201
    ehc = db_session.get(Plan, started.json()["id"])
    assert ehc is not None
    assert ehc.child_id == sam.child_id, "the same child, not a second record of them"
    assert second.status_code == 409
    assert second.json()["detail"] == f"Sam Taylor already has a live EHC plan: {ehc.reference}"


def test_a_plan_that_has_ended_leaves_room_for_a_new_one(
    client: TestClient, db_session: Session, as_person: Headers, sam: Plan
) -> None:
    sam.status = PlanStatus.CLOSED
    db_session.add(sam)
    db_session.flush()

    again = client.post("/api/v1/plans", json=new_plan("sen_support", **SAM), headers=as_person("Priya Shah"))

    assert again.status_code == 201
    assert db_session.get(Plan, again.json()["id"]).child_id == sam.child_id  # type: ignore[union-attr]


def test_a_draft_sent_for_comment_names_who_was_told_and_issue_waits(
    client: TestClient, as_person: Headers, ella: Plan
) -> None:
    morgan = as_person("Morgan Price")
    path = f"/api/v1/plans/{ella.id}/steps"
    assert client.post(path, json={"step": "start_review"}, headers=morgan).json()["told"] == []
    sent = client.post(path, json={"step": "send_for_consultation"}, headers=morgan).json()
    assert sent["told"] == ["Ella Morris (young person)"]
    assert sent["next_steps"] == ["cease"]  # issuing waits for the family's 15 days
    refused = client.post(path, json={"step": "issue"}, headers=morgan)
    assert refused.status_code == 409
    assert "the plan can be issued from" in refused.json()["detail"]
