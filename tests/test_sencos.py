"""Who is a school's SENCo: designated by the council's administrator (or by the school's SENCo, for a
colleague), never guessed; the designation opens the school's list and names the new SENCo of a move."""

import html
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, MetaData, Table, create_engine, insert, text
from sqlmodel import Session, col, select

from app import migrate
from app.actor import Actor
from app.clock import uk_today
from app.config import Settings
from app.errors import Refused
from app.models import AuditEvent, Child, Organisation, Outcome, Person, PersonRole, Plan
from app.models.base import id_of, utc_now
from app.services import sencos
from app.services.auth.api_tokens import create_token
from app.services.delivery import moves
from app.services.plans.access import plan_access
from app.services.plans.items import ContentProblem
from tests.databases import fresh_database
from tests.factories import make_person

Lookup = Callable[[str], Person]
SignIn = Callable[[Person], str]


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(
        db.exec(select(AuditEvent).where(col(AuditEvent.action) == action).order_by(col(AuditEvent.id)))
    )


def _sencos_at(db: Session, setting_id: int) -> list[str]:
    """The names of the setting's SENCos now, as its SENCos page lists them."""
    admin = db.exec(select(Person).where(col(Person.role) == PersonRole.ADMINISTRATOR.value)).first()
    assert admin is not None
    return [staff.person.display_name for staff in sencos.staff_of(db, admin, setting_id) if staff.is_senco]


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(page)))


def test_the_demo_designates_priya_and_chris_wood_and_nobody_else(db_session: Session, demo: Lookup) -> None:
    for name, leads in (("Priya Shah", True), ("Chris Wood", True), ("Tom Baker", False)):
        person = demo(name)
        assert sencos.leads(db_session, person, person.organisation_id or 0) is leads, name
    hillcrest = demo("Chris Wood").organisation_id or 0
    assert _sencos_at(db_session, hillcrest) == ["Chris Wood"]


def test_the_administrator_designates_a_teacher_and_ends_it_each_audited(
    db_session: Session, demo: Lookup
) -> None:
    admin, tom = demo("Admin"), demo("Tom Baker")
    riverside = tom.organisation_id or 0
    sencos.designate(db_session, Actor.command(admin), riverside, id_of(tom))
    assert sencos.leads(db_session, tom, riverside)
    assert _sencos_at(db_session, riverside) == ["Priya Shah", "Tom Baker"]
    designated = _events(db_session, "setting.senco_designated")[-1]
    assert (designated.actor_id, designated.object_id, designated.details["setting_id"]) == (
        admin.id,
        str(tom.id),
        riverside,
    )
    sencos.designate(db_session, Actor.command(admin), riverside, id_of(tom))  # again: nothing new
    assert _events(db_session, "setting.senco_designated")[-1].id == designated.id

    assert sencos.end_designation(db_session, Actor.command(admin), riverside, id_of(tom))
    assert not sencos.leads(db_session, tom, riverside)
    ended = _events(db_session, "setting.senco_undesignated")[-1]
    assert (ended.actor_id, ended.object_id) == (admin.id, str(tom.id))


def test_a_senco_designates_a_colleague_but_not_at_another_school_and_never_ends_their_own(
    db_session: Session, demo: Lookup
) -> None:
    priya, tom, chris = demo("Priya Shah"), demo("Tom Baker"), demo("Chris Wood")
    riverside, hillcrest = priya.organisation_id or 0, chris.organisation_id or 0
    sencos.designate(db_session, Actor.command(priya), riverside, id_of(tom))
    assert sencos.leads(db_session, tom, riverside)
    with pytest.raises(sencos.SencoProblem, match="administrator"):
        sencos.end_designation(db_session, Actor.command(priya), riverside, id_of(priya))
    with pytest.raises(sencos.SencoProblem, match="Riverside Primary School's education staff"):
        sencos.designate(db_session, Actor.command(priya), riverside, id_of(chris))
    with pytest.raises(Refused) as refused:
        sencos.end_designation(db_session, Actor.command(priya), hillcrest, id_of(chris))
    assert refused.value.status_code == 404
    assert sencos.leads(db_session, chris, hillcrest)
    # Tom, designated by Priya, may now end Priya's designation (a colleague's), as she did his.
    assert sencos.end_designation(db_session, Actor.command(tom), riverside, id_of(priya))
    assert not sencos.leads(db_session, priya, riverside)


def test_a_teacher_who_is_not_the_senco_manages_no_one(db_session: Session, demo: Lookup) -> None:
    tom, priya = demo("Tom Baker"), demo("Priya Shah")
    with pytest.raises(Refused) as refused:
        sencos.end_designation(db_session, Actor.command(tom), tom.organisation_id or 0, id_of(priya))
    assert refused.value.status_code == 404
    assert sencos.leads(db_session, priya, priya.organisation_id or 0)


def test_a_designation_counts_only_while_the_person_works_there_and_is_active(
    db_session: Session, demo: Lookup
) -> None:
    chris, priya = demo("Chris Wood"), demo("Priya Shah")
    hillcrest = chris.organisation_id or 0
    chris.organisation_id = priya.organisation_id  # moves to Riverside
    db_session.add(chris)
    assert not sencos.leads(db_session, chris, hillcrest)
    assert not sencos.leads(db_session, chris, priya.organisation_id or 0)  # not designated there
    priya.deactivated_at = utc_now()
    db_session.add(priya)
    assert not sencos.leads(db_session, priya, priya.organisation_id or 0)


def test_the_administrator_is_told_when_someone_cannot_be_a_senco(db_session: Session, demo: Lookup) -> None:
    aisha, riverside = demo("Dr Aisha Khan"), demo("Priya Shah").organisation_id or 0
    with pytest.raises(sencos.SencoProblem, match="Riverside Primary School's education staff"):
        sencos.designate(db_session, Actor.command(demo("Admin")), riverside, id_of(aisha))
    with pytest.raises(Refused) as refused:  # the NHS trust is no school: it has no SENCo to manage
        sencos.designate(db_session, Actor.command(demo("Admin")), aisha.organisation_id or 0, id_of(aisha))
    assert refused.value.status_code == 404


def test_a_move_offers_the_new_schools_designated_sencos_or_all_its_staff_where_it_has_none(
    db_session: Session, demo: Lookup
) -> None:
    chris, admin = demo("Chris Wood"), demo("Admin")
    hillcrest = db_session.get(Organisation, chris.organisation_id)
    assert hillcrest is not None
    teacher = make_person(db_session, PersonRole.EDUCATION, organisation=hillcrest, password=None)
    assert [p.display_name for p in moves.sencos_of(db_session, [hillcrest])] == ["Chris Wood"]
    assert moves.undesignated(db_session, [hillcrest]) == []
    sencos.end_designation(db_session, Actor.command(admin), id_of(hillcrest), id_of(chris))
    offered = {p.id for p in moves.sencos_of(db_session, [hillcrest])}
    assert offered == {chris.id, teacher.id}
    assert moves.undesignated(db_session, [hillcrest]) == [hillcrest]


def test_priya_designates_tom_on_the_schools_page_and_he_then_sees_its_list(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    priya, tom = demo("Priya Shah"), demo("Tom Baker")
    riverside = priya.organisation_id
    csrf = sign_in_as(priya)
    assert f'href="/settings/{riverside}/sencos"' in client.get(f"/settings/{riverside}/plans").text
    page = _text(client.get(f"/settings/{riverside}/sencos").text)
    assert "Designate as SENCo : Tom Baker" in page
    assert "End designation : Priya Shah" not in page  # her own is the administrator's to end
    done = client.post(
        f"/settings/{riverside}/sencos/{tom.id}", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert (done.status_code, done.headers["location"]) == (303, f"/settings/{riverside}/sencos")
    assert "End designation : Tom Baker" in _text(client.get(f"/settings/{riverside}/sencos").text)
    sign_in_as(tom)
    assert client.get(f"/settings/{riverside}/plans").status_code == 200


def test_the_page_shows_why_in_an_error_summary(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    priya, chris = demo("Priya Shah"), demo("Chris Wood")
    riverside = priya.organisation_id
    csrf = sign_in_as(priya)
    page = client.post(f"/settings/{riverside}/sencos/{chris.id}", data={"csrf_token": csrf})
    assert page.status_code == 200
    assert "govuk-error-summary" in page.text
    assert (
        '<a href="#person_id">Only Riverside Primary School&#39;s education staff can be its SENCo</a>'
        in page.text
    )
    hillcrest = chris.organisation_id
    assert client.get(f"/settings/{hillcrest}/sencos").status_code == 404
    refused = _events(db_session, "setting.senco_refused")[-1]
    assert (refused.outcome, refused.actor_id, refused.object_id) == (
        Outcome.REFUSED,
        priya.id,
        str(hillcrest),
    )


def test_the_administrator_designates_from_the_list_of_organisations(
    client: TestClient, db_session: Session, demo: Lookup, sign_in_as: SignIn
) -> None:
    chris = demo("Chris Wood")
    hillcrest = chris.organisation_id
    teacher = make_person(
        db_session, PersonRole.EDUCATION, organisation=db_session.get(Organisation, hillcrest), password=None
    )
    csrf = sign_in_as(demo("Admin"))
    assert f'href="/settings/{hillcrest}/sencos"' in client.get("/admin/organisations").text
    assert "End designation : Chris Wood" in _text(client.get(f"/settings/{hillcrest}/sencos").text)
    client.post(f"/settings/{hillcrest}/sencos/{teacher.id}", data={"csrf_token": csrf})
    client.post(f"/settings/{hillcrest}/sencos/{chris.id}/end", data={"csrf_token": csrf})
    assert _sencos_at(db_session, hillcrest or 0) == [teacher.display_name]
    people = _text(client.get("/admin/people").text)
    assert f"{teacher.display_name} {teacher.email} Education (school or college) SENCo" in people
    assert f"{chris.display_name} {chris.email} Education (school or college) Hillcrest" in people


def test_a_move_names_a_designated_senco_of_the_new_school_where_it_has_one(
    db_session: Session, settings: Settings, demo: Lookup
) -> None:
    morgan, tom = demo("Morgan Price"), demo("Tom Baker")
    ella = db_session.exec(select(Child).where(col(Child.full_name) == "Ella Morris")).one()
    plan = db_session.exec(select(Plan).where(col(Plan.child_id) == ella.id)).one()
    actor = Actor.command(morgan)
    new = moves.NewMove(
        to_setting_id=tom.organisation_id or 0,
        new_senco_id=id_of(tom),
        moves_on=uk_today(),
        reason="Nearer home",
    )
    with pytest.raises(ContentProblem) as refused:
        moves.move_setting(db_session, settings, actor, plan_access(db_session, actor, id_of(plan)), new)
    assert refused.value.errors == {"new_senco_id": "Select one of Riverside Primary School's SENCos"}


def test_the_api_lists_designates_and_ends_with_reasons_for_what_it_refuses(
    client: TestClient, db_session: Session, demo: Lookup
) -> None:
    def headers(name: str) -> dict[str, str]:
        _token, secret = create_token(db_session, Actor.command(), demo(name), "sencos api test")
        return {"Authorization": f"Bearer {secret}"}

    priya, tom, chris = demo("Priya Shah"), demo("Tom Baker"), demo("Chris Wood")
    base = f"/api/v1/settings/{priya.organisation_id}/sencos"
    assert client.get(base, headers=headers("Tom Baker")).status_code == 404
    as_priya = headers("Priya Shah")
    staff = client.get(base, headers=as_priya).json()
    assert [(row["name"], row["is_senco"], row["may_change"]) for row in staff] == [
        ("Priya Shah", True, False),
        ("Tom Baker", False, True),
    ]
    made = client.put(f"{base}/{tom.id}", headers=as_priya)
    assert made.status_code == 200
    assert [row["is_senco"] for row in made.json()] == [True, True]
    own = client.delete(f"{base}/{priya.id}", headers=as_priya)
    assert own.status_code == 422
    assert own.json()["detail"][0]["loc"] == ["path", "person_id"]
    assert "administrator" in own.json()["detail"][0]["msg"]
    elsewhere = client.delete(f"/api/v1/settings/{chris.organisation_id}/sencos/{chris.id}", headers=as_priya)
    assert (elsewhere.status_code, elsewhere.json()) == (404, {"detail": "Not Found"})
    assert client.delete(f"{base}/{tom.id}", headers=as_priya).status_code == 204
    assert not sencos.leads(db_session, tom, tom.organisation_id or 0)
    parent = client.get(base, headers=headers("Alex Taylor"))
    assert parent.status_code == 403


def test_a_school_whose_only_senco_was_switched_off_offers_all_its_staff_for_a_move(
    db_session: Session, demo: Lookup
) -> None:
    chris = demo("Chris Wood")
    hillcrest = db_session.get(Organisation, chris.organisation_id)
    assert hillcrest is not None
    teacher = make_person(db_session, PersonRole.EDUCATION, organisation=hillcrest, password=None)
    chris.deactivated_at = utc_now()
    db_session.add(chris)
    db_session.flush()
    assert [p.id for p in moves.sencos_of(db_session, [hillcrest])] == [teacher.id]
    assert moves.undesignated(db_session, [hillcrest]) == [hillcrest]


def _insert(connection: Connection, table_name: str, **values: object) -> int:
    """A row with the values given, and a plain value in every other column that must have one."""
    table = Table(table_name, MetaData(), autoload_with=connection)
    fillers: dict[type, object] = {str: "x", int: 0, bool: False, datetime: utc_now(), date: date(2020, 1, 1)}
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key or column.server_default is not None:
            continue
        row[column.name] = fillers.get(column.type.python_type, "x")
    return int(connection.execute(insert(table).values(row)).inserted_primary_key[0])


def test_the_upgrade_designates_whoever_coordinated_a_live_plan_at_their_own_school(tmp_path: Path) -> None:
    """So that no SENCo loses their school's list on the day of the upgrade; a teacher coordinating a
    plan at another school, or an ended plan, makes no one a SENCo."""
    with fresh_database(tmp_path) as url:
        migrate.upgrade(url, "f981e591e3f2")
        engine = create_engine(url)
        with engine.begin() as connection:
            council = _insert(connection, "organisation", name="Council", kind="local_authority")
            school = _insert(
                connection, "organisation", name="School", kind="school", local_authority_id=council
            )
            other = _insert(
                connection, "organisation", name="Other", kind="school", local_authority_id=council
            )
            senco = _insert(connection, "person", display_name="S", role="education", organisation_id=school)
            visitor = _insert(connection, "person", display_name="V", role="education", organisation_id=other)
            for number, (person, status) in enumerate(
                ((senco, "active"), (visitor, "active"), (visitor, "closed"))
            ):
                child = _insert(
                    connection,
                    "child",
                    full_name=f"C{number}",
                    local_authority_id=council,
                    date_of_birth=date(2016, 1, 1),
                )
                plan = _insert(
                    connection,
                    "plan",
                    kind="sen_support",
                    child_id=child,
                    local_authority_id=council,
                    setting_id=school if number < 2 else other,
                    status=status,
                )
                _insert(
                    connection,
                    "plan_member",
                    plan_id=plan,
                    person_id=person,
                    role="education",
                    is_coordinator=True,
                )
        migrate.upgrade(url)
        with engine.connect() as connection:
            found = connection.execute(text("SELECT setting_id, person_id FROM setting_senco")).all()
        engine.dispose()
    assert [tuple(row) for row in found] == [(school, senco)]
