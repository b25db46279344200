"""The school's list and evidence pack, and the council's list, through the pages, as the demo uses them."""

import csv
import io
import re
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import AuditEvent, Child, Person, Plan, PlanKind, PlanStatus, SupportLayer
from app.models.base import id_of
from app.services.plans import support
from app.services.timelines.reading import plan_timeline
from app.templating import day
from tests.page_checks import check_page
from tests.plan_factories import access_for

Lookup = Callable[[str], Person]
SignIn = Callable[[Person], str]


def get(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    check_page(response.text)
    return response.text


def sams_plan(db: Session, demo: Lookup, kind: PlanKind = PlanKind.SEN_SUPPORT) -> Plan:
    sam = demo("Sam Taylor")
    return db.exec(
        select(Plan).join(Child).where(col(Child.person_id) == sam.id, col(Plan.kind) == kind.value)
    ).one()


def cells(page: str, plan: Plan) -> list[str]:
    """The words of each cell of the plan's row, tags and links stripped."""
    row = re.search(rf'<tr class="govuk-table__row" id="plan-{plan.id}">(.*?)</tr>', page, re.S)
    assert row is not None
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
    ]


def last_event(db: Session, action: str) -> AuditEvent:
    found = db.exec(
        select(AuditEvent).where(col(AuditEvent.action) == action).order_by(col(AuditEvent.id).desc())
    ).first()
    assert found is not None, action
    return found


def test_priya_sees_sams_plan_with_the_facts_its_own_page_shows(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    priya = demo("Priya Shah")
    plan = sams_plan(db_session, demo)
    sign_in_as(priya)
    page = get(client, f"/settings/{priya.organisation_id}/plans")
    timeline = plan_timeline(db_session, access_for(db_session, priya, plan))
    assert timeline.next_review is not None
    assert cells(page, plan) == [
        "Sam Taylor",
        "OP-1001 SEN Support plan",
        "None",  # no layer of support: an ISP's
        day(timeline.next_review),
        "1",  # Dr Khan's advice for his assessment is late (the demo's)
        "1",  # the 1:1 support that fell short, as the plan page warns
        "5",
        "67% of outcomes (2 of 3); 7 views",
    ]
    plan_page = get(client, f"/plans/{plan.id}")
    assert "Less was delivered than planned" in plan_page
    assert "(2 of 3)" in plan_page
    assert last_event(db_session, "setting_list.read").object_id == str(priya.organisation_id)


def test_the_filters_keep_the_plans_that_match_and_the_csv_follows_them(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    priya = demo("Priya Shah")
    plan = sams_plan(db_session, demo)
    sign_in_as(priya)
    base = f"/settings/{priya.organisation_id}/plans"
    for query, shown in (
        ("kind=ehc", False),
        ("kind=sen_support", True),
        ("overdue=1", True),
        ("shortfall=1", True),
        ("sort=name", True),
    ):
        page = get(client, f"{base}?{query}")
        assert (f'id="plan-{plan.id}"' in page) is shown, query
    assert "No plan matches." in get(client, f"{base}?kind=ehc")
    page = get(client, f"{base}?shortfall=1")
    link = re.search(r'id="download-csv" href="([^"]+)"', page)
    assert link is not None
    assert "shortfall=1" in link[1]
    response = client.get(link[1].replace("&amp;", "&"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [
        (row["plan"], row["child"], row["overdue_steps"], row["provision_short"], row["quality_flags"])
        for row in rows
    ] == [("OP-1001", "Sam Taylor", "1", "1", "5")]
    assert rows[0]["voice_figure_percent"] == "67"
    exported = last_event(db_session, "setting_list.exported")
    assert exported.details == {"plans": 1, "shortfall": "1", "sort": "review"}
    assert client.get(f"{base}.csv?kind=ehc").text.strip().count("\n") == 0  # the header alone


def test_only_the_schools_senco_finds_its_list(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    riverside = demo("Priya Shah").organisation_id
    sign_in_as(demo("Priya Shah"))
    assert f'href="/settings/{riverside}/plans">Every child with a plan at your school' in get(
        client, "/plans"
    )
    hillcrest = demo("Chris Wood").organisation_id
    sign_in_as(demo("Chris Wood"))  # Hillcrest's designated SENCo, who coordinates no live plan there
    assert f'href="/settings/{hillcrest}/plans">Every child with a plan at your school' in get(
        client, "/plans"
    )
    assert "Children with plans" in get(client, f"/settings/{hillcrest}/plans")
    for name in ("Tom Baker", "Chris Wood"):  # a class teacher there; another school's SENCo
        sign_in_as(demo(name))
        if name == "Tom Baker":
            assert 'id="your-school"' not in get(client, "/plans")
        for path in (
            f"/settings/{riverside}/plans",
            f"/settings/{riverside}/plans.csv",
            f"/settings/{riverside}/evidence",
        ):
            assert client.get(path).status_code == 404, (name, path)
    sign_in_as(demo("Morgan Price"))
    assert client.get(f"/settings/{riverside}/plans").status_code == 403
    refused = last_event(db_session, "setting_list.refused")
    assert refused.object_id == str(riverside)


def test_the_evidence_pack_counts_sams_plan_under_each_mark_it_meets_and_links_to_it(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    priya = demo("Priya Shah")
    plan = sams_plan(db_session, demo)
    sign_in_as(priya)
    page = get(client, f"/settings/{priya.organisation_id}/evidence")
    figures = dict(re.findall(r'id="mark-([a-z_]+)" href="[^"]+">(\d+ of \d+)', page))
    assert figures == {
        "reviewed_on_time": "1 of 1",  # late advice is not a late review
        "child_voice": "1 of 1",
        "specific_provision": "0 of 1",
        "unbroken_thread": "0 of 1",
        "delivery_logged": "1 of 1",
    }
    counted = get(client, f"/settings/{priya.organisation_id}/evidence?mark=child_voice")
    assert f'href="/plans/{plan.id}">OP-1001' in counted
    vague = get(client, f"/settings/{priya.organisation_id}/evidence?mark=specific_provision")
    assert "No plan meets this mark yet." in vague
    response = client.get(f"/settings/{priya.organisation_id}/evidence.csv")
    lines = list(csv.reader(io.StringIO(response.text)))
    assert lines[0][:3] == ["plan", "child", "reviewed_on_time"]
    assert lines[1] == ["OP-1001", "Sam Taylor", "yes", "yes", "no", "no", "yes"]
    assert lines[2] == ["all plans", "1", "100%", "100%", "0%", "0%", "100%"]
    assert last_event(db_session, "setting_evidence.exported").details == {"plans": 1}


def _pupils(db: Session, council_id: int, count: int) -> list[Plan]:
    """Plans of the council for children named Pupil 01, Pupil 02, ... (rows only: the list reads them)."""
    made = []
    for number in range(1, count + 1):
        child = Child(
            full_name=f"Pupil {number:02}",
            date_of_birth=date(2015, 1, 1),
            school_year="Year 6",
            local_authority_id=council_id,
        )
        db.add(child)
        db.flush()
        plan = Plan(
            kind=PlanKind.SEN_SUPPORT,
            child_id=id_of(child),
            local_authority_id=council_id,
            status=PlanStatus.ACTIVE,
        )
        db.add(plan)
        made.append(plan)
    db.flush()
    return made


def _names(page: str) -> list[str]:
    table = re.search(r'<table class="govuk-table" id="council-plans">(.*?)</table>', page, re.S)
    return (
        re.findall(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">([^<]+)</td>', table[1])
        if table
        else []
    )


def test_morgan_searches_the_councils_list_by_the_start_of_a_word_of_a_name_or_a_reference(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    morgan = demo("Morgan Price")
    sign_in_as(morgan)
    page = get(client, "/la/plans")
    assert "Sam Taylor" in _names(page)
    assert "Ella Morris" in _names(page)
    assert "finds Sam Taylor" in page  # the hint says what a search matches
    for search in ("sam", "TAY", "  Sam   T", "taylor s"):
        found = get(client, "/la/plans?" + f"q={search}")
        assert set(_names(found)) == {"Sam Taylor"}, search
    assert _names(get(client, "/la/plans?q=aylo")) == []  # the start of a word, not any part of it
    sen_support = sams_plan(db_session, demo)
    by_reference = get(client, f"/la/plans?q={sen_support.reference.lower()}")
    assert _names(by_reference) == ["Sam Taylor"]
    assert f'href="/plans/{sen_support.id}">{sen_support.reference}' in by_reference
    assert "Riverside Primary School" in by_reference
    nothing = get(client, "/la/plans?q=%25")  # a wildcard is a character like any other
    assert "No child's name or plan reference matches" in nothing
    assert last_event(db_session, "la.plans_listed").details == {"shown": 0, "searched": True}


def test_the_councils_list_pages_forwards_and_back_by_name(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    rita = demo("Rita Okafor")  # the council's audit officer reads the list too
    _pupils(db_session, int(rita.organisation_id or 0), 30)
    sign_in_as(rita)
    first = get(client, "/la/plans?q=pupil")
    assert _names(first) == [f"Pupil {number:02}" for number in range(1, 26)]
    assert "Previous" not in first
    following = re.search(r'href="(/la/plans\?q=pupil&amp;after=\d+)"', first)
    assert following is not None
    second = get(client, following[1].replace("&amp;", "&"))
    assert _names(second) == [f"Pupil {number:02}" for number in range(26, 31)]
    back = re.search(r'href="(/la/plans\?q=pupil&amp;before=\d+)"', second)
    assert back is not None
    assert "after=" not in second
    assert _names(get(client, back[1].replace("&amp;", "&"))) == _names(first)
    everyone = get(client, "/la/plans")
    assert len(_names(everyone)) == 25
    assert "after=" in everyone


def test_the_councils_list_is_for_its_officers_only(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    for name in ("Priya Shah", "Alex Taylor"):
        sign_in_as(demo(name))
        assert client.get("/la/plans").status_code == 403
    sign_in_as(demo("Morgan Price"))
    assert 'href="/la/plans"' in get(client, "/la/dashboard")


def test_the_api_pages_the_councils_list_as_the_page_does(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    morgan = demo("Morgan Price")
    made = _pupils(db_session, int(morgan.organisation_id or 0), 27)
    sign_in_as(morgan)
    first = client.get("/api/v1/la/plans", params={"q": "PUPIL"}).json()
    assert [row["child_name"] for row in first["plans"]] == [f"Pupil {number:02}" for number in range(1, 26)]
    assert first["previous_before"] is None
    second = client.get("/api/v1/la/plans", params={"q": "pupil", "after": first["next_after"]}).json()
    assert [row["plan_id"] for row in second["plans"]] == [id_of(plan) for plan in made[25:]]
    assert second["next_after"] is None
    back = client.get("/api/v1/la/plans", params={"q": "pupil", "before": second["previous_before"]}).json()
    assert back["plans"] == first["plans"]
    assert first["plans"][0] | {"plan_id": 0, "reference": ""} == {
        "plan_id": 0,
        "reference": "",
        "child_name": "Pupil 01",
        "setting": None,
        "kind": "sen_support",
        "status": "active",
        "layer": None,
    }


def test_an_isps_layer_of_support_shows_in_both_lists_their_csv_and_the_api(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    priya = demo("Priya Shah")
    plan = sams_plan(db_session, demo)
    isp = support.NewIsp(
        layer=SupportLayer.TARGETED_PLUS,
        reason="Speech and language therapy in school each week.",
        duty_holder_id=id_of(priya),
        next_review_on=uk_today() + timedelta(days=90),
    )
    support.convert_to_isp(db_session, Actor.command(priya), access_for(db_session, priya, plan), isp)
    db_session.flush()
    sign_in_as(priya)
    school = get(client, f"/settings/{plan.setting_id}/plans")
    assert "Targeted Plus" in cells(school, plan)
    assert "Individual Support Plan" in " ".join(cells(school, plan))
    rows = list(csv.DictReader(io.StringIO(client.get(f"/settings/{plan.setting_id}/plans.csv").text)))
    assert [row["layer"] for row in rows if row["plan"] == plan.reference] == ["Targeted Plus"]
    sign_in_as(demo("Morgan Price"))
    council = get(client, "/la/plans?q=sam")
    assert "Targeted Plus" in council
    listed = client.get("/api/v1/la/plans", params={"q": "sam"}).json()["plans"]
    assert [row["layer"] for row in listed if row["plan_id"] == plan.id] == ["targeted_plus"]


def test_a_reference_beyond_any_plan_finds_nothing_rather_than_failing(
    client: TestClient, demo: Lookup, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Morgan Price"))
    page = get(client, "/la/plans?q=OP-9999999999")
    assert "No child's name or plan reference matches" in page
