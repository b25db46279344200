"""Every state-changing route records exactly one audit event, of the person who acted.

Every write route of the permission matrix is played here as every kind of caller: each play must
get the matrix's designed answer and add at most one event (a refusal to a signed-in person exactly
one, naming them), and every write route must be seen doing its write with exactly one "done" event
of its caller. Routes the matrix plays only as refusals or as forms with errors have a scenario of
their own below.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from tempfile import TemporaryDirectory

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.config import Settings
from app.dependencies import SAFE_METHODS
from app.models import (
    AuditEvent,
    Child,
    ExpertService,
    InclusionBase,
    Item,
    ItemKind,
    ItemRevision,
    Organisation,
    OrganisationKind,
    Outcome,
    Person,
    PersonRole,
    Plan,
    PlanKind,
    Specialism,
    SupportLayer,
)
from app.models.base import id_of
from app.models.timeline import AdviceRequest, StatutoryStep, StepKind
from app.routes import app_routes
from app.services.auth import child_cards, second_factor
from app.services.auth.csrf import csrf_token
from app.services.delivery import arithmetic, moves
from app.services.delivery.common import calendar_for
from app.services.demo import create_demo, demo_person
from app.services.demo.delivery import ONE_TO_ONE, full_week_before
from app.services.people import deactivate
from app.services.plans import lifecycle, progress
from app.services.plans.access import plan_access
from tests.factories import PASSWORD, make_organisation, make_person
from tests.matrix import Relationship, Route
from tests.matrix.child_sign_in import PICTURES, _child_of
from tests.plan_factories import add_items, coordinator_of, events_since, last_event_id, make_plan
from tests.test_permission_matrix import WRITES, Played, designed_answers
from tests.test_permission_matrix import play_as as play_as  # the fixture
from tests.test_second_factor import half_signed_in, staff

SIGNING_IN_BY_LINK = ("/card/", "/invitations/", "/password-reset/")
"""Whoever follows the link acts as the person it was made for, not as whoever is signed in."""


@dataclass(frozen=True)
class Done:
    person: Person
    action: str
    events: list[AuditEvent]


Scenario = Callable[[TestClient, Session, Settings, Callable[[Person], str]], Done]


def _after(db: Session, person: Person, action: str, since: int) -> Done:
    return Done(person, action, events_since(db, since))


def _invite_staff(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    admin = make_person(db, PersonRole.ADMINISTRATOR)
    csrf = sign_in_as(admin)
    school = make_organisation(db)
    since = last_event_id(db)
    form = {"display_name": "New Teacher", "email": "new.teacher@test.example", "role": "education"}
    response = client.post(
        "/admin/people/invite",
        data={**form, "organisation_id": str(school.id), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return _after(db, admin, "person.invited", since)


def _add_deliverer_role(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    admin = make_person(db, PersonRole.ADMINISTRATOR)
    csrf = sign_in_as(admin)
    council = make_organisation(db, OrganisationKind.LOCAL_AUTHORITY)
    since = last_event_id(db)
    response = client.post(
        "/admin/deliverer-roles",
        data={"local_authority_id": str(council.id), "label": "Play therapist", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return _after(db, admin, "deliverer_role.added", since)


def _set_service_contact(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    admin = make_person(db, PersonRole.ADMINISTRATOR)
    csrf = sign_in_as(admin)
    council = make_organisation(db, OrganisationKind.LOCAL_AUTHORITY)
    therapy = make_organisation(db, OrganisationKind.HEALTH, council)
    service = ExpertService(organisation_id=id_of(therapy), specialism=Specialism.SPEECH_AND_LANGUAGE_THERAPY)
    db.add(service)
    db.flush()
    since = last_event_id(db)
    response = client.post(
        f"/admin/expert-services/{service.id}",
        data={"contact_email": "therapy@service.example", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return _after(db, admin, "expert_service.contact_changed", since)


def _reactivate(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    admin = make_person(db, PersonRole.ADMINISTRATOR)
    csrf = sign_in_as(admin)
    someone = make_person(db, password=None)
    deactivate(db, Actor.command(admin), someone.id or 0)
    since = last_event_id(db)
    response = client.post(f"/admin/people/{someone.id}/reactivate", data={"csrf_token": csrf})
    assert response.status_code == 200
    return _after(db, admin, "person.reactivated", since)


def _revoke_card(
    client: TestClient, db: Session, settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    parent = make_person(db, PersonRole.PARENT_CARER)
    child = _child_of(db, parent)
    child_cards.create_card(db, settings, Actor.command(parent), child, PICTURES)
    csrf = sign_in_as(parent)
    since = last_event_id(db)
    response = client.post(
        f"/account/children/{child.id}/sign-in-card/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    return _after(db, parent, "child_sign_in_card.revoked", since)


def _ask_for_a_reset(
    client: TestClient, db: Session, settings: Settings, _sign_in: Callable[[Person], str]
) -> Done:
    person = make_person(db, PersonRole.PARENT_CARER)
    client.cookies.set("oneplan_browser", "resetting")
    since = last_event_id(db)
    response = client.post(
        "/password-reset",
        data={
            "email": person.email or "",
            "csrf_token": csrf_token(settings.secret_key, "browser:resetting"),
        },
    )
    assert response.status_code == 200
    return _after(db, person, "password_reset.requested", since)


def _sign_in(client: TestClient, db: Session, settings: Settings, _sign_in: Callable[[Person], str]) -> Done:
    person = make_person(db, PersonRole.PARENT_CARER)
    client.cookies.set("oneplan_browser", "signing-in")
    since = last_event_id(db)
    response = client.post(
        "/sign-in",
        data={
            "email": person.email or "",
            "password": PASSWORD,
            "csrf_token": csrf_token(settings.secret_key, "browser:signing-in"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    return _after(db, person, "sign_in.succeeded", since)


def _second_factor(
    client: TestClient, db: Session, settings: Settings, _sign_in: Callable[[Person], str]
) -> Done:
    secret = pyotp.random_base32()
    person = staff(db, totp_secret=secret)
    csrf = half_signed_in(client, db, settings, person)
    since = last_event_id(db)
    response = client.post(
        "/sign-in/second-factor",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return _after(db, person, "second_factor.succeeded", since)


def _set_up_second_factor(
    client: TestClient, db: Session, settings: Settings, _sign_in: Callable[[Person], str]
) -> Done:
    person = staff(db)
    csrf = half_signed_in(client, db, settings, person)
    page = client.get("/sign-in/second-factor/set-up")
    shown = re.search(r'<code id="key">([A-Z2-7 ]+)</code>', page.text)
    assert shown is not None
    secret = shown.group(1).replace(" ", "")
    since = last_event_id(db)
    response = client.post(
        "/sign-in/second-factor/set-up",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 200
    return _after(db, person, "second_factor.set_up", since)


def _recovery_code(
    client: TestClient, db: Session, settings: Settings, _sign_in: Callable[[Person], str]
) -> Done:
    person = staff(db, totp_secret=pyotp.random_base32())
    [code, *_] = second_factor.renew_recovery_codes(db, Actor.command(person), person)
    csrf = half_signed_in(client, db, settings, person)
    since = last_event_id(db)
    response = client.post(
        "/sign-in/recovery-code", data={"code": code, "csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    return _after(db, person, "second_factor.succeeded", since)


def _start_a_plan(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    _plan, _people = make_plan(db)
    senco = coordinator_of(db, _plan)
    csrf = sign_in_as(senco)
    since = last_event_id(db)
    response = client.post(
        "/plans/new",
        data={
            "kind": "sen_support",
            "child_full_name": "Robin Walk",
            "child_date_of_birth-day": "1",
            "child_date_of_birth-month": "4",
            "child_date_of_birth-year": "2016",
            "child_school_year": "Year 5",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return _after(db, senco, "plan.created", since)


def _change_stage(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    plan, _people = make_plan(db, PlanKind.SEN_SUPPORT)
    senco = coordinator_of(db, plan)
    csrf = sign_in_as(senco)
    since = last_event_id(db)
    response = client.post(
        f"/plans/{plan.id}/stage",
        data={"step": "move_to_stage", "stage": "do", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return _after(db, senco, "plan.move_to_stage", since)


def _revise_by_api(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    plan, _people = make_plan(db)
    [need] = add_items(db, plan, 1)
    senco = coordinator_of(db, plan)
    csrf = sign_in_as(senco)
    since = last_event_id(db)
    response = client.put(
        f"/api/v1/plans/{plan.id}/items/{need.id}",
        headers={"If-Match": '"1"', "X-CSRF-Token": csrf},
        json={"text": "Finds noise hard", "area_of_need": "sensory_and_physical"},
    )
    assert response.status_code == 200, response.text
    return _after(db, senco, "item.revised", since)


def _sams_assessment(db: Session, sign_in_as: Callable[[Person], str]) -> tuple[Plan, Person, str]:
    """The demo world: Morgan is the case officer of Sam's assessment (at week 7)."""
    create_demo(db)
    morgan = demo_person(db, "Morgan Price")
    sam = db.exec(select(Plan).join(Child).where(Child.full_name == "Sam Taylor")).one()
    return sam, morgan, sign_in_as(morgan)


def _final_plan_step(db: Session, plan: Plan) -> StatutoryStep:
    return _step_of(db, plan, StepKind.FINAL_PLAN)


def _step_of(db: Session, plan: Plan, kind: StepKind) -> StatutoryStep:
    return db.exec(
        select(StatutoryStep).where(StatutoryStep.plan_id == plan.id, StatutoryStep.kind == kind)
    ).one()


def _khans_advice(db: Session, plan: Plan) -> AdviceRequest:
    return db.exec(
        select(AdviceRequest).where(
            AdviceRequest.plan_id == plan.id, col(AdviceRequest.returned_on).is_(None)
        )
    ).one()


def _return_advice(path: str, *, api: str) -> Scenario:
    """Dr Khan returns the advice asked of her (written here, or already in section K by the API)."""

    def scenario(
        client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        sam, _morgan, _csrf = _sams_assessment(db, sign_in_as)
        khan = demo_person(db, "Dr Aisha Khan")
        csrf = sign_in_as(khan)
        advice = _khans_advice(db, sam)
        url = path.format(plan_id=sam.id, advice_id=advice.id)
        since = last_event_id(db)
        if api == "written":
            response = client.post(url, json={"text": "Ear defenders."}, headers={"X-CSRF-Token": csrf})
        elif api == "item":
            [item] = db.exec(
                select(Item).where(Item.plan_id == sam.id, Item.author_id == khan.id, Item.section == "K")
            )
            given = {"returned_on": uk_today().isoformat(), "advice_item_id": item.id}
            response = client.post(url, json=given, headers={"X-CSRF-Token": csrf})
        else:
            response = client.post(
                url, data={"advice_text": "Ear defenders.", "csrf_token": csrf}, follow_redirects=False
            )
        assert response.status_code in {200, 303}, response.text
        return _after(db, khan, "advice.returned", since)

    return scenario


def _draft_plan(path: str, *, api: bool) -> Scenario:
    def scenario(
        client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        sam, morgan, csrf = _sams_assessment(db, sign_in_as)
        since = last_event_id(db)
        url = path.format(plan_id=sam.id)
        if api:
            response = client.post(url, headers={"X-CSRF-Token": csrf})
        else:
            response = client.post(url, data={"csrf_token": csrf}, follow_redirects=False)
        assert response.status_code in {201, 303}, response.text
        return _after(db, morgan, "assessment.draft_made", since)

    return scenario


def _step_done(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    sam, morgan, csrf = _sams_assessment(db, sign_in_as)
    step = _step_of(db, sam, StepKind.ISSUE_DECISION)  # "will not issue" needs no draft to exist
    since = last_event_id(db)
    today = uk_today()
    response = client.post(
        f"/plans/{sam.id}/timeline/steps/{step.id}/done",
        data={
            "outcome": "not_issuing",
            "done_on-day": str(today.day),
            "done_on-month": str(today.month),
            "done_on-year": str(today.year),
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return _after(db, morgan, "timeline.step_done", since)


def _exception(path: str, *, api: bool) -> Scenario:
    def scenario(
        client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        sam, morgan, csrf = _sams_assessment(db, sign_in_as)
        step = _final_plan_step(db, sam)
        since = last_event_id(db)
        url = path.format(plan_id=sam.id, step_id=step.id)
        given = {"exception": "family_away", "exception_reason" if not api else "reason": "Away for 5 weeks"}
        if api:
            response = client.post(url, json=given, headers={"X-CSRF-Token": csrf})
        else:
            response = client.post(url, data={**given, "csrf_token": csrf}, follow_redirects=False)
        assert response.status_code in {200, 303}, response.text
        return _after(db, morgan, "timeline.exception_recorded", since)

    return scenario


def _advice_request(path: str, *, api: bool) -> Scenario:
    def scenario(
        client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        sam, morgan, csrf = _sams_assessment(db, sign_in_as)
        social_care = db.exec(
            select(Organisation).where(Organisation.kind == OrganisationKind.SOCIAL_CARE)
        ).first()
        assert social_care is not None
        since = last_event_id(db)
        today = uk_today()
        url = path.format(plan_id=sam.id)
        if api:
            given = {"topic": "psychology", "organisation_id": social_care.id, "sent_on": today.isoformat()}
            response = client.post(url, json=given, headers={"X-CSRF-Token": csrf})
        else:
            form = {
                "topic": "psychology",
                "organisation_id": str(social_care.id),
                "sent_on-day": str(today.day),
                "sent_on-month": str(today.month),
                "sent_on-year": str(today.year),
                "csrf_token": csrf,
            }
            response = client.post(url, data=form, follow_redirects=False)
        assert response.status_code in {201, 303}, response.text
        return _after(db, morgan, "advice.requested", since)

    return scenario


def _review_meeting(path: str, *, api: bool) -> Scenario:
    def scenario(
        client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        create_demo(db)
        morgan = demo_person(db, "Morgan Price")
        ella = db.exec(select(Plan).join(Child).where(Child.full_name == "Ella Morris")).one()
        csrf = sign_in_as(morgan)
        since = last_event_id(db)
        meeting = uk_today() + timedelta(days=60)
        url = path.format(plan_id=ella.id)
        if api:
            response = client.post(
                url, json={"meeting_on": meeting.isoformat()}, headers={"X-CSRF-Token": csrf}
            )
        else:
            form = {
                "meeting_on-day": str(meeting.day),
                "meeting_on-month": str(meeting.month),
                "meeting_on-year": str(meeting.year),
                "csrf_token": csrf,
            }
            response = client.post(url, data=form, follow_redirects=False)
        assert response.status_code in {201, 303}, response.text
        return _after(db, morgan, "review.arranged", since)

    return scenario


def _sams_plan(db: Session, sign_in_as: Callable[[Person], str], name: str) -> tuple[Plan, Person, str]:
    """The demo world: Sam's SEN Support plan (Priya coordinates; Tom delivers the 1:1), as `name`."""
    create_demo(db)
    person = demo_person(db, name)
    sam = db.exec(select(Plan).join(Child).where(Child.full_name == "Sam Taylor")).one()
    return sam, person, sign_in_as(person)


def _delivery(path: str, *, api: bool) -> Scenario:
    def scenario(
        client: TestClient, db: Session, settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        sam, tom, csrf = _sams_plan(db, sign_in_as, "Tom Baker")
        item = db.exec(
            select(Item)
            .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
            .where(col(Item.plan_id) == sam.id, col(ItemRevision.text) == ONE_TO_ONE)
        ).one()
        monday = full_week_before(calendar_for(settings), uk_today(), 1)  # the demo logged 2 weeks back
        days = arithmetic.week_days(monday)
        since = last_event_id(db)
        url = path.format(plan_id=sam.id, item_id=item.id)
        if api:
            given = {
                "week_of": monday.isoformat(),
                "days": [{"day": day.isoformat(), "status": "delivered"} for day in days],
            }
            response = client.post(url, json=given, headers={"X-CSRF-Token": csrf})
        else:
            form = {"week": monday.isoformat(), "csrf_token": csrf}
            form |= {f"status-{day.isoformat()}": "delivered" for day in days}
            response = client.post(url, data=form, follow_redirects=False)
        assert response.status_code in {200, 303}, response.text
        return _after(db, tom, "delivery.recorded", since)

    return scenario


def _needs_map(path: str, *, api: bool) -> Scenario:
    def scenario(
        client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        sam, priya, csrf = _sams_plan(db, sign_in_as, "Priya Shah")
        need = db.exec(select(Item).where(Item.plan_id == sam.id, Item.kind == ItemKind.NEED)).first()
        assert need is not None
        since = last_event_id(db)
        url = path.format(plan_id=sam.id)
        given = {
            "setting_support": "some",
            "support_offered": "A visual prompt card",
            "family_confidence": "low",
        }
        if api:
            response = client.post(url, json={**given, "item_id": need.id}, headers={"X-CSRF-Token": csrf})
        else:
            form = {**given, "item_id": str(need.id), "csrf_token": csrf}
            response = client.post(url, data=form, follow_redirects=False)
        assert response.status_code in {201, 303}, response.text
        return _after(db, priya, "needs_map.recorded", since)

    return scenario


def _move(path: str, *, api: bool) -> Scenario:
    def scenario(
        client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        sam, priya, csrf = _sams_plan(db, sign_in_as, "Priya Shah")
        chris = demo_person(db, "Chris Wood")  # the SENCo of Hillcrest Academy
        since = last_event_id(db)
        url = path.format(plan_id=sam.id)
        if api:
            given = {
                "to_setting_id": chris.organisation_id,
                "new_senco_id": chris.id,
                "moves_on": uk_today().isoformat(),
            }
            response = client.post(url, json=given, headers={"X-CSRF-Token": csrf})
        else:
            form = {
                "to_setting_id": str(chris.organisation_id),
                "new_senco_id": str(chris.id),
                "moves_on": uk_today().isoformat(),
                "csrf_token": csrf,
            }
            response = client.post(url, data=form, follow_redirects=False)
        assert response.status_code in {201, 303}, response.text
        return _after(db, priya, "plan.setting_moved", since)

    return scenario


def _cancel_move(path: str, *, api: bool) -> Scenario:
    def scenario(
        client: TestClient, db: Session, settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        sam, priya, csrf = _sams_plan(db, sign_in_as, "Priya Shah")
        chris = demo_person(db, "Chris Wood")
        new = moves.NewMove(
            to_setting_id=chris.organisation_id or 0,
            new_senco_id=chris.id or 0,
            moves_on=uk_today() + timedelta(days=20),
        )
        waiting = moves.move_setting(
            db, settings, Actor.command(priya), plan_access(db, Actor.command(priya), sam.id or 0), new
        )
        since = last_event_id(db)
        url = path.format(plan_id=sam.id, move_id=waiting.id)
        if api:
            response = client.post(url, headers={"X-CSRF-Token": csrf})
        else:
            response = client.post(url, data={"csrf_token": csrf}, follow_redirects=False)
        assert response.status_code in {200, 303}, response.text
        return _after(db, priya, "plan.setting_move_cancelled", since)

    return scenario


def _raise_concern(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    """Alex raises a concern (the matrix also plays this route on an ended plan, where nothing is written)."""
    sam, alex, csrf = _sams_plan(db, sign_in_as, "Alex Taylor")
    since = last_event_id(db)
    form = {"csrf_token": csrf, "about": "delivery", "words": "Sam's 1:1 did not happen this week."}
    response = client.post(f"/plans/{sam.id}/concerns", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return _after(db, alex, "concern.raised", since)


def _ask_expert(path: str, *, api: bool) -> Scenario:
    def scenario(
        client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        sam, priya, csrf = _sams_plan(db, sign_in_as, "Priya Shah")
        service = db.exec(select(ExpertService)).first()
        assert service is not None
        since = last_event_id(db)
        url = path.format(plan_id=sam.id)
        due = uk_today() + timedelta(weeks=4)
        given = {"service_id": service.id, "kind": "advice", "question": "What helps Sam listen?"}
        if api:
            response = client.post(
                url, json={**given, "due_on": due.isoformat()}, headers={"X-CSRF-Token": csrf}
            )
        else:
            form = {**{k: str(v) for k, v in given.items()}, "due_on": due.isoformat(), "csrf_token": csrf}
            response = client.post(url, data=form, follow_redirects=False)
        assert response.status_code in {201, 303}, response.text
        return _after(db, priya, "expert_request.made", since)

    return scenario


def _give_place(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    sam, priya, csrf = _sams_plan(db, sign_in_as, "Priya Shah")
    base = db.exec(select(InclusionBase).where(col(InclusionBase.setting_id) == sam.setting_id)).first()
    assert base is not None
    since = last_event_id(db)
    form = {
        "base_id": str(base.id),
        "minutes_a_week": "300",
        "text": "Afternoons in the base",
        "csrf_token": csrf,
    }
    response = client.post(f"/plans/{sam.id}/inclusion-place", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return _after(db, priya, "inclusion_place.added", since)


def _item_starting(db: Session, plan: Plan, words: str) -> Item:
    return db.exec(
        select(Item)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.plan_id) == plan.id, col(ItemRevision.text).startswith(words))
    ).one()


def _difference(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    sam, alex, csrf = _sams_plan(db, sign_in_as, "Alex Taylor")
    since = last_event_id(db)
    response = client.post(
        f"/plans/{sam.id}/differences",
        data={
            "about": "Whether Sam needs help at lunch every day",
            "part": "section:F",
            "views-1-holder_id": str(alex.id),
            "views-1-view": "Every day, or he does not eat.",
            "views-2-holder_name": "Tom Baker, class teacher",
            "views-2-view": "Three days a week, then review.",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return _after(db, alex, "difference.recorded", since)


def _send_my_view(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    sam, young_person, csrf = _sams_plan(db, sign_in_as, "Sam Taylor")
    since = last_event_id(db)
    response = client.post(
        f"/plans/{sam.id}/my-views/new",
        data={
            "answer_like": "I like the rabbit at school.",
            "answer_hard": "Spelling tests are hard.",
            "audience": "everyone",
            "step": "check",
            "go": "send",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return _after(db, young_person, "views.sent", since)  # two answers sent together: one event


def _png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="PNG")
    return out.getvalue()


def _upload_picture(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    sam, alex, csrf = _sams_plan(db, sign_in_as, "Alex Taylor")  # a parent: may add views, and so pictures
    since = last_event_id(db)
    response = client.post(
        f"/api/v1/plans/{sam.id}/pictures",
        files={"file": ("drawing.png", _png(), "image/png")},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 201, response.text
    return _after(db, alex, "picture.added", since)


def _link_by_api(
    client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    sam, priya, csrf = _sams_plan(db, sign_in_as, "Priya Shah")
    outcome = _item_starting(db, sam, "By the summer, Sam will join in")  # answers a need, no view
    dragons = _item_starting(db, sam, "I like drawing dragons. This")
    since = last_event_id(db)
    response = client.post(
        f"/api/v1/plans/{sam.id}/links",
        json={"item_id": outcome.id, "answers_id": dragons.id},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 201, response.text
    return _after(db, priya, "link.added", since)


def _publish_checkpoint(
    client: TestClient, db: Session, settings: Settings, sign_in_as: Callable[[Person], str]
) -> Done:
    officer = make_person(db, PersonRole.LA_AUDIT_OFFICER)
    csrf = sign_in_as(officer)
    before = settings.audit_checkpoint_dir
    with TemporaryDirectory() as folder:
        settings.audit_checkpoint_dir = Path(folder)  # other tests leave other databases' checkpoints
        try:
            since = last_event_id(db)
            response = client.post("/audit/checkpoints", data={"csrf_token": csrf})
            assert response.status_code == 200, response.text
        finally:
            settings.audit_checkpoint_dir = before
    return _after(db, officer, "audit.checkpoint_published", since)


def _review_progress(form_path: str, name: str, field: str, value: str, action: str) -> Scenario:
    """An open review of Sam's plan (Priya records it); `name` writes for one outcome on its page."""

    def scenario(
        client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        sam, person, csrf = _sams_plan(db, sign_in_as, name)
        priya = Actor.command(demo_person(db, "Priya Shah"))
        access = plan_access(db, priya, id_of(sam))
        review = lifecycle.record_review(
            db,
            priya,
            access,
            lifecycle.NewReview(held_on=uk_today(), participants="All", what_worked="A", what_changes="B"),
        )
        outcome = progress.live_outcomes(db, access)[0]
        since = last_event_id(db)
        response = client.post(
            form_path.format(plan_id=sam.id, review_id=review.id),
            data={f"{field}_{outcome.item.id}": value, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return _after(db, person, action, since)

    return scenario


def _isp(path: str, *, api: bool, details: bool) -> Scenario:
    """Priya makes Sam's SEN Support plan an ISP, or (`details`) changes the ISP's duty holder and review."""

    def scenario(
        client: TestClient, db: Session, _settings: Settings, sign_in_as: Callable[[Person], str]
    ) -> Done:
        sam, priya, csrf = _sams_plan(db, sign_in_as, "Priya Shah")
        review = uk_today() + timedelta(days=30)
        given: dict[str, object] = {"duty_holder_id": priya.id}
        if not details:
            given |= {"layer": "targeted", "reason": "Needs met in class"}
        else:
            sam.kind, sam.support_layer, sam.duty_holder_id = PlanKind.ISP, SupportLayer.TARGETED, priya.id
            db.add(sam)
            db.flush()
        since = last_event_id(db)
        address = path.format(plan_id=sam.id)
        if api:
            response = client.post(
                address,
                headers={"X-CSRF-Token": csrf},
                json={**given, "next_review_on": review.isoformat()},
            )
            assert response.status_code == 200, response.text
        else:
            day = {"-day": review.day, "-month": review.month, "-year": review.year}
            form = {**{key: str(value) for key, value in given.items()}, "csrf_token": csrf}
            form |= {f"next_review_on{box}": str(value) for box, value in day.items()}
            response = client.post(address, data=form, follow_redirects=False)
            assert response.status_code == 303, response.text
        return _after(db, priya, "plan.isp_changed" if details else "plan.kind_changed", since)

    return scenario


SCENARIOS: dict[tuple[str, str], Scenario] = {
    ("POST", "/admin/people/invite"): _invite_staff,
    ("POST", "/admin/deliverer-roles"): _add_deliverer_role,
    ("POST", "/admin/expert-services/{service_id}"): _set_service_contact,
    ("POST", "/admin/people/{person_id}/reactivate"): _reactivate,
    ("POST", "/account/children/{child_id}/sign-in-card/revoke"): _revoke_card,
    ("POST", "/password-reset"): _ask_for_a_reset,
    ("POST", "/sign-in"): _sign_in,
    ("POST", "/sign-in/second-factor"): _second_factor,
    ("POST", "/sign-in/second-factor/set-up"): _set_up_second_factor,
    ("POST", "/sign-in/recovery-code"): _recovery_code,
    ("POST", "/plans/new"): _start_a_plan,
    ("POST", "/plans/{plan_id}/stage"): _change_stage,
    ("PUT", "/api/v1/plans/{plan_id}/items/{item_id}"): _revise_by_api,
    ("POST", "/plans/{plan_id}/timeline/steps/{step_id}/done"): _step_done,
    ("POST", "/plans/{plan_id}/timeline/steps/{step_id}/exception"): _exception(
        "/plans/{plan_id}/timeline/steps/{step_id}/exception", api=False
    ),
    ("POST", "/api/v1/plans/{plan_id}/steps/{step_id}/exception"): _exception(
        "/api/v1/plans/{plan_id}/steps/{step_id}/exception", api=True
    ),
    ("POST", "/plans/{plan_id}/advice-requests/{advice_id}/advice"): _return_advice(
        "/plans/{plan_id}/advice-requests/{advice_id}/advice", api=""
    ),
    ("POST", "/api/v1/plans/{plan_id}/advice-requests/{advice_id}/advice"): _return_advice(
        "/api/v1/plans/{plan_id}/advice-requests/{advice_id}/advice", api="written"
    ),
    ("POST", "/api/v1/plans/{plan_id}/advice-requests/{advice_id}/returned"): _return_advice(
        "/api/v1/plans/{plan_id}/advice-requests/{advice_id}/returned", api="item"
    ),
    ("POST", "/plans/{plan_id}/draft-plan"): _draft_plan("/plans/{plan_id}/draft-plan", api=False),
    ("POST", "/api/v1/plans/{plan_id}/draft-plan"): _draft_plan(
        "/api/v1/plans/{plan_id}/draft-plan", api=True
    ),
    ("POST", "/plans/{plan_id}/advice-requests"): _advice_request(
        "/plans/{plan_id}/advice-requests", api=False
    ),
    ("POST", "/api/v1/plans/{plan_id}/advice-requests"): _advice_request(
        "/api/v1/plans/{plan_id}/advice-requests", api=True
    ),
    ("POST", "/plans/{plan_id}/review-meetings"): _review_meeting(
        "/plans/{plan_id}/review-meetings", api=False
    ),
    ("POST", "/api/v1/plans/{plan_id}/review-meetings"): _review_meeting(
        "/api/v1/plans/{plan_id}/review-meetings", api=True
    ),
    ("POST", "/plans/{plan_id}/delivery/{item_id}"): _delivery(
        "/plans/{plan_id}/delivery/{item_id}", api=False
    ),
    ("POST", "/api/v1/plans/{plan_id}/items/{item_id}/delivery"): _delivery(
        "/api/v1/plans/{plan_id}/items/{item_id}/delivery", api=True
    ),
    ("POST", "/plans/{plan_id}/needs-map"): _needs_map("/plans/{plan_id}/needs-map", api=False),
    ("POST", "/api/v1/plans/{plan_id}/needs-map"): _needs_map("/api/v1/plans/{plan_id}/needs-map", api=True),
    ("POST", "/plans/{plan_id}/move"): _move("/plans/{plan_id}/move", api=False),
    ("POST", "/plans/{plan_id}/concerns"): _raise_concern,
    ("POST", "/api/v1/plans/{plan_id}/moves"): _move("/api/v1/plans/{plan_id}/moves", api=True),
    ("POST", "/plans/{plan_id}/moves/{move_id}/cancel"): _cancel_move(
        "/plans/{plan_id}/moves/{move_id}/cancel", api=False
    ),
    ("POST", "/api/v1/plans/{plan_id}/moves/{move_id}/cancellation"): _cancel_move(
        "/api/v1/plans/{plan_id}/moves/{move_id}/cancellation", api=True
    ),
    ("POST", "/plans/{plan_id}/experts"): _ask_expert("/plans/{plan_id}/experts", api=False),
    ("POST", "/api/v1/plans/{plan_id}/expert-requests"): _ask_expert(
        "/api/v1/plans/{plan_id}/expert-requests", api=True
    ),
    ("POST", "/plans/{plan_id}/inclusion-place"): _give_place,
    ("POST", "/plans/{plan_id}/differences"): _difference,
    ("POST", "/plans/{plan_id}/my-views/new"): _send_my_view,
    ("POST", "/api/v1/plans/{plan_id}/pictures"): _upload_picture,
    ("POST", "/api/v1/plans/{plan_id}/links"): _link_by_api,
    ("POST", "/audit/checkpoints"): _publish_checkpoint,
    ("POST", "/plans/{plan_id}/reviews/{review_id}/progress"): _review_progress(
        "/plans/{plan_id}/reviews/{review_id}/progress",
        "Tom Baker",
        "rating",
        "achieved",
        "review.progress_rated",
    ),
    ("POST", "/plans/{plan_id}/reviews/{review_id}/own-words"): _review_progress(
        "/plans/{plan_id}/reviews/{review_id}/own-words",
        "Alex Taylor",
        "own_words",
        "Good.",
        "review.own_words_added",
    ),
    ("POST", "/plans/{plan_id}/support-plan"): _isp(
        "/plans/{plan_id}/support-plan", api=False, details=False
    ),
    ("POST", "/api/v1/plans/{plan_id}/support-plan"): _isp(
        "/api/v1/plans/{plan_id}/support-plan", api=True, details=False
    ),
    ("POST", "/plans/{plan_id}/support-plan/details"): _isp(
        "/plans/{plan_id}/support-plan/details", api=False, details=True
    ),
    ("POST", "/api/v1/plans/{plan_id}/support-plan/details"): _isp(
        "/api/v1/plans/{plan_id}/support-plan/details", api=True, details=True
    ),
}
"""A successful write for each route the matrix plays only as a refusal or a form with errors."""

CHECKS_ONLY = {("POST", "/plans/{plan_id}/quality/check")}
"""Routes that are a POST only because they carry typed words and the CSRF token: they check what is
being typed (provision's quality flags, as it is typed) and write nothing, so they record nothing."""


@pytest.mark.parametrize("entry", WRITES, ids=[f"{entry.method} {entry.path}" for entry in WRITES])
def test_each_play_of_a_write_route_answers_as_designed_and_records_at_most_one_event_of_its_caller(
    entry: Route, play_as: Callable[[Route, str, Relationship], Played]
) -> None:
    plays = [
        (relationship, caller, play_as(entry, caller, relationship))
        for relationship, expected in entry.expect.items()
        for caller in expected
    ]
    answers = {(relationship.value, caller): played.status for relationship, caller, played in plays}
    assert answers == designed_answers(entry)
    done_by_caller = 0
    for relationship, caller, played in plays:
        events = played.events
        where = f"{entry.method} {entry.path} as {caller} ({relationship.value}): {played.status}"
        assert len(events) <= 1, f"{where} recorded {[event.action for event in events]}"
        if played.person is None:
            continue
        if played.status in {403, 404}:
            assert [(e.outcome, e.actor_id) for e in events] == [(Outcome.REFUSED, played.person.id)], where
        if entry.path.startswith(SIGNING_IN_BY_LINK):
            done_by_caller += len(events)
            continue
        for event in events:
            assert event.actor_id == played.person.id, where
            done_by_caller += event.outcome is Outcome.DONE
    if (entry.method, entry.path) not in SCENARIOS.keys() | CHECKS_ONLY:
        assert done_by_caller, f"{entry.method} {entry.path}: no play wrote anything; add a scenario"


@pytest.mark.parametrize("route", sorted(SCENARIOS), ids=[f"{m} {p}" for m, p in sorted(SCENARIOS)])
def test_a_write_the_matrix_only_refuses_records_one_event_when_done(
    route: tuple[str, str],
    client: TestClient,
    db_session: Session,
    settings: Settings,
    sign_in_as: Callable[[Person], str],
) -> None:
    done = SCENARIOS[route](client, db_session, settings, sign_in_as)
    assert [(e.action, e.outcome, e.actor_id) for e in done.events] == [
        (done.action, Outcome.DONE, done.person.id)
    ]


def test_every_write_route_is_walked(app: FastAPI) -> None:
    writes = {(method, route.path) for route in app_routes(app) for method in route.methods} & {
        (entry.method, entry.path) for entry in WRITES
    }
    all_writes = {
        (method, route.path)
        for route in app_routes(app)
        for method in route.methods
        if method not in SAFE_METHODS
    }
    assert all_writes == writes, "every write route is in the permission matrix"
    assert set(SCENARIOS) <= writes
    assert writes >= CHECKS_ONLY
    assert not set(SCENARIOS) & CHECKS_ONLY


def test_checking_typed_words_records_no_event(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    plan, _people = make_plan(db_session)
    senco = coordinator_of(db_session, plan)
    csrf = sign_in_as(senco)
    since = last_event_id(db_session)
    response = client.post(
        f"/plans/{plan.id}/quality/check",
        data={"text": "Access to a quiet space when appropriate", "csrf_token": csrf},
    )
    assert response.status_code == 200, response.text
    assert "Vague wording" in response.text
    assert events_since(db_session, since) == []


def test_reading_a_plan_records_one_event(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    plan, _people = make_plan(db_session)
    add_items(db_session, plan, 3)
    senco = coordinator_of(db_session, plan)
    sign_in_as(senco)
    since = last_event_id(db_session)
    assert client.get(f"/plans/{plan.id}").status_code == 200
    [read] = events_since(db_session, since)
    assert (read.action, read.actor_id, read.plan_id) == ("plan.read", senco.id, plan.id)
    since = last_event_id(db_session)
    assert client.get(f"/api/v1/plans/{plan.id}").status_code == 200
    [read] = events_since(db_session, since)
    assert (read.action, read.actor_id, read.plan_id, read.channel.value) == (
        "plan.read",
        senco.id,
        plan.id,
        "api",
    )
