"""The demo world of DESIGN.md (Northshire): organisations, personas and their plans."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.actor import Actor
from app.config import Settings, get_settings
from app.models import FamilyLink, Organisation, OrganisationKind, Person, PersonRole, SettingPhase
from app.models.base import id_of, utc_now
from app.services import sencos
from app.services.auth import child_cards
from app.services.auth.passwords import hash_password
from app.services.demo.experts import (
    EDUCATIONAL_PSYCHOLOGY,
    SPEECH_AND_LANGUAGE_THERAPY,
    create_demo_experts,
)
from app.services.demo.plans import create_demo_plans
from app.services.demo.voices import create_demo_voices
from app.services.organisations import ensure_organisation

NORTHSHIRE = "Northshire County Council"
DEMO_PASSWORD = "northshire-demo-2026"
# Every demo member of staff shares this authenticator key, so that one app entry serves them all.
DEMO_TOTP_SECRET = "ONEPLANDEMOKEYNORTHSHIRE"
DEMO_ORGANISATIONS: tuple[tuple[str, OrganisationKind, SettingPhase | None], ...] = (
    ("Riverside Primary School", OrganisationKind.SCHOOL, SettingPhase.PRIMARY),
    # An all-through academy: reception to its sixth form (Ella is in Year 12 there).
    ("Hillcrest Academy", OrganisationKind.SCHOOL, SettingPhase.ALL_THROUGH),
    ("Northshire NHS Trust", OrganisationKind.HEALTH, None),
    ("Northshire Children's Services", OrganisationKind.SOCIAL_CARE, None),
    (SPEECH_AND_LANGUAGE_THERAPY, OrganisationKind.HEALTH, None),
    (EDUCATIONAL_PSYCHOLOGY, OrganisationKind.OTHER, None),
)
DEMO_SENCOS = ("Priya Shah", "Chris Wood")
"""Riverside's and Hillcrest's designated SENCos (Tom Baker is a class teacher at Riverside)."""
# Sam's sign-in card (made by Alex): the pictures stay the same, the link is new at every run.
DEMO_CARD_PICTURES = ("cat", "sun", "boat")


@dataclass(frozen=True)
class Persona:
    display_name: str
    email: str | None
    role: PersonRole
    organisation: str | None
    date_of_birth: date | None = None


PERSONAS: tuple[Persona, ...] = (
    Persona("Sam Taylor", None, PersonRole.CHILD, None, date(2017, 5, 14)),
    Persona("Alex Taylor", "alex.taylor@family.example", PersonRole.PARENT_CARER, None),
    Persona("Priya Shah", "priya.shah@riverside.example", PersonRole.EDUCATION, "Riverside Primary School"),
    Persona("Tom Baker", "tom.baker@riverside.example", PersonRole.EDUCATION, "Riverside Primary School"),
    Persona("Dr Aisha Khan", "aisha.khan@nhs.example", PersonRole.HEALTH, "Northshire NHS Trust"),
    Persona(
        "Jo Green",
        "jo.green@childrens-services.example",
        PersonRole.SOCIAL_CARE,
        "Northshire Children's Services",
    ),
    Persona("Morgan Price", "morgan.price@northshire.example", PersonRole.LA_CASE_OFFICER, NORTHSHIRE),
    Persona("Rita Okafor", "rita.okafor@northshire.example", PersonRole.LA_AUDIT_OFFICER, NORTHSHIRE),
    Persona("Hannah Reed", "hannah.reed@nhs.example", PersonRole.HEALTH, SPEECH_AND_LANGUAGE_THERAPY),
    Persona("Ella Morris", "ella.morris@family.example", PersonRole.CHILD, None, date(2010, 2, 3)),
    Persona("Chris Wood", "chris.wood@hillcrest.example", PersonRole.EDUCATION, "Hillcrest Academy"),
    Persona("Admin", "admin@oneplan.example", PersonRole.ADMINISTRATOR, None),
)


@dataclass(frozen=True)
class DemoWorld:
    organisations: list[Organisation]
    sam_card: child_cards.IssuedCard
    """Only a digest of a card's link is stored, so each run makes Sam a fresh card to print."""


def create_demo(session: Session, settings: Settings | None = None) -> DemoWorld:
    """Create the demo organisations and personas; running it again changes nothing but Sam's card.

    `settings` says where the demo's pictures go (the data folder); the environment's by default.
    """
    council = ensure_organisation(session, NORTHSHIRE, OrganisationKind.LOCAL_AUTHORITY)
    organisations = [council] + [
        ensure_organisation(session, name, kind, council, phase) for name, kind, phase in DEMO_ORGANISATIONS
    ]
    by_name = {organisation.name: organisation for organisation in organisations}
    password_hash = hash_password(DEMO_PASSWORD)
    people = {
        persona.display_name: _ensure_persona(session, persona, by_name, password_hash)
        for persona in PERSONAS
    }
    _ensure_family_link(session, people["Alex Taylor"], people["Sam Taylor"])
    for name in DEMO_SENCOS:
        senco = people[name]
        sencos.designate(session, Actor.command(people["Admin"]), senco.organisation_id or 0, id_of(senco))
    sam_card = _renew_sign_in_card(
        session, settings or get_settings(), parent=people["Alex Taylor"], child=people["Sam Taylor"]
    )
    create_demo_plans(session, people, by_name)
    create_demo_experts(session, people, by_name)
    create_demo_voices(session, people, (settings or get_settings()).data_dir)
    return DemoWorld(organisations, sam_card)


def demo_person(session: Session, display_name: str) -> Person:
    """A persona by name (tests and `oneplan demo` use the same people)."""
    person = session.exec(select(Person).where(Person.display_name == display_name)).first()
    if person is None:
        raise LookupError(f"no demo persona called {display_name}: run `oneplan demo`")
    return person


def _ensure_persona(
    session: Session, persona: Persona, organisations: dict[str, Organisation], password_hash: str
) -> Person:
    existing = session.exec(select(Person).where(Person.display_name == persona.display_name)).first()
    if existing is not None:
        return existing
    person = Person(
        display_name=persona.display_name,
        email=persona.email,
        role=persona.role,
        organisation_id=id_of(organisations[persona.organisation]) if persona.organisation else None,
        date_of_birth=persona.date_of_birth,
        # Sam (9) signs in with a sign-in card, not a password.
        password_hash=password_hash if persona.email else None,
    )
    if person.is_staff:
        person.totp_secret = DEMO_TOTP_SECRET
        person.totp_confirmed_at = utc_now()
    session.add(person)
    session.flush()
    return person


def _ensure_family_link(session: Session, parent: Person, child: Person) -> None:
    link = session.exec(
        select(FamilyLink).where(FamilyLink.parent_id == parent.id, FamilyLink.child_id == child.id)
    ).first()
    if link is None:
        session.add(FamilyLink(parent_id=id_of(parent), child_id=id_of(child)))
        session.flush()


def _renew_sign_in_card(
    session: Session, settings: Settings, *, parent: Person, child: Person
) -> child_cards.IssuedCard:
    """A working card for the child, made by the parent; the previous run's card stops working."""
    actor = Actor.command(parent)
    child = child_cards.child_to_set_up(session, actor, id_of(child))
    return child_cards.create_card(session, settings, actor, child, DEMO_CARD_PICTURES)
