"""The demo plans: Sam's SEN Support plan (a term's work by every agency and the family), Ella's EHC plan.

Written through the same services as everything else, so every line has its author and audit event;
only the revision times are then set back across the autumn term, so that the history reads as it would.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from app.actor import Actor
from app.clock import uk_today
from app.models import (
    AreaOfNeed,
    Child,
    Item,
    ItemContent,
    ItemRevision,
    MemberRole,
    Organisation,
    Person,
    Plan,
    PlanKind,
    PlanReview,
    ProgressRating,
    ProvisionFrequency,
    ProvisionUnit,
    Section,
)
from app.models.base import id_of, utc_now
from app.services.demo.delivery import ONE_TO_ONE, create_demo_delivery
from app.services.demo.quality import ELLA_THREAD, SAM_THREAD, link_thread
from app.services.demo.timelines import create_demo_timelines
from app.services.plans import items, lifecycle, members, own_words, progress
from app.services.plans.access import plan_access
from app.services.plans.plans import NewPlan, create_plan


@dataclass(frozen=True)
class Entry:
    author: str
    section: Section
    text: str
    days_ago: int
    voice: str | None = None
    area: AreaOfNeed | None = None
    achieve_by: date | None = None
    delivered_by: str | None = None
    organisation: str | None = None
    amount: float | None = None
    unit: ProvisionUnit | None = None
    frequency: ProvisionFrequency | None = None


SAM_MEMBERS = (
    ("Alex Taylor", MemberRole.PARENT_CARER),
    ("Sam Taylor", MemberRole.CHILD),
    ("Tom Baker", MemberRole.EDUCATION),
    ("Dr Aisha Khan", MemberRole.HEALTH),
    ("Jo Green", MemberRole.SOCIAL_CARE),
)
A_WEEK = ProvisionFrequency.WEEK
SAM_ENTRIES = (
    Entry(
        "Sam Taylor",
        Section.A,
        "I like drawing dragons and building Lego. I am good at spotting patterns. The dining hall is too "
        "loud and it hurts my ears. It helps when Mr Baker tells me what is happening next.",
        80,
    ),
    Entry(
        "Alex Taylor",
        Section.A,
        "Sam is funny and clever at home, but he comes out of school exhausted and upset most days. Mornings "
        "are hard because he worries about what will happen. We would like him to have a quiet place to go "
        "when it gets too much, and to be told about changes before they happen.",
        79,
    ),
    Entry(
        "Priya Shah",
        Section.B,
        "Sam finds it hard to follow spoken instructions given to the whole class, especially when there "
        "are several steps. He often starts the first step and then waits or copies others.",
        75,
        area=AreaOfNeed.COMMUNICATION_AND_INTERACTION,
    ),
    Entry(
        "Tom Baker",
        Section.B,
        "Sam becomes very anxious when the routine changes without warning (a supply teacher, a trip, wet "
        "play) and may leave the classroom to hide in the cloakroom.",
        74,
        area=AreaOfNeed.SOCIAL_EMOTIONAL_AND_MENTAL_HEALTH,
    ),
    Entry(
        "Priya Shah",
        Section.B,
        "Sam reads words accurately but his understanding of what he reads is around two years behind, "
        "which holds him back across the curriculum.",
        73,
        area=AreaOfNeed.COGNITION_AND_LEARNING,
    ),
    Entry(
        "Dr Aisha Khan",
        Section.C,
        "Sam has sensory processing differences: loud and busy places (the dining hall, assemblies) cause "
        "him distress and headaches. His hearing was tested in September and is normal.",
        70,
        area=AreaOfNeed.SENSORY_AND_PHYSICAL,
    ),
    Entry(
        "Jo Green",
        Section.D,
        "Alex cares for Sam and his younger sister on their own; the family had a short-break assessment in "
        "October. Sam needs help to join activities outside school with other children.",
        66,
        area=AreaOfNeed.INDEPENDENCE,
    ),
    Entry(
        "Dr Aisha Khan",
        Section.K,
        "Community paediatric assessment (October): sensory processing differences; no medication. "
        "Recommends a quiet space at lunch, ear defenders in assemblies, and an occupational therapy "
        "sensory review this term.",
        68,
    ),
    Entry(
        "Jo Green",
        Section.K,
        "Child and family assessment summary: a loving, stretched family. Short breaks agreed: an "
        "after-school club place with a trained worker.",
        64,
    ),
    Entry(
        "Priya Shah",
        Section.E,
        "By the end of Year 4, Sam will follow a three-step instruction in class, with a visual prompt, in "
        "four out of five lessons.",
        60,
        achieve_by=date(2027, 7, 16),
    ),
    Entry(
        "Tom Baker",
        Section.E,
        "By Easter, Sam will eat his lunch calmly and come back to class ready to learn on most days.",
        60,
        achieve_by=date(2027, 3, 26),
    ),
    Entry(
        "Priya Shah",
        Section.F,
        "Small-group language sessions (Language for Thinking), 30 minutes each.",
        58,
        delivered_by="Teaching assistant trained in Language for Thinking",
        organisation="Riverside Primary School",
        amount=3,
        unit=ProvisionUnit.SESSIONS,
        frequency=A_WEEK,
    ),
    Entry(
        "Tom Baker",
        Section.F,
        "A visual timetable on Sam's desk, gone through with an adult at the start of every day, with "
        "changes shown in advance.",
        58,
        delivered_by="Class teacher or teaching assistant",
        organisation="Riverside Primary School",
        amount=10,
        unit=ProvisionUnit.MINUTES,
        frequency=ProvisionFrequency.DAY,
    ),
    Entry(
        "Priya Shah",
        Section.F,
        "A quiet place for lunch (the library), with one friend Sam chooses, every school day.",
        57,
        delivered_by="Lunchtime supervisor",
        organisation="Riverside Primary School",
        amount=5,
        unit=ProvisionUnit.SESSIONS,
        frequency=A_WEEK,
    ),
    Entry(
        "Dr Aisha Khan",
        Section.G,
        "Occupational therapy sensory review, with advice to school and home.",
        55,
        delivered_by="Occupational therapist",
        organisation="Northshire NHS Trust",
        amount=1,
        unit=ProvisionUnit.SESSIONS,
        frequency=ProvisionFrequency.TERM,
    ),
    Entry(
        "Jo Green",
        Section.H1,
        "Short breaks: access to an after-school club when appropriate.",
        50,
        delivered_by="Short breaks team",
        organisation="Northshire Children's Services",
        amount=3,
        unit=ProvisionUnit.HOURS,
        frequency=A_WEEK,
    ),
    Entry(
        "Priya Shah",
        Section.F,
        ONE_TO_ONE,
        45,
        delivered_by="Teaching assistant",
        organisation="Riverside Primary School",
        amount=5,
        unit=ProvisionUnit.SESSIONS,
        frequency=A_WEEK,
    ),
    Entry(
        "Priya Shah",
        Section.E,
        "By the summer, Sam will join in at an after-school club with other children, once a week.",
        50,
        achieve_by=date(2027, 7, 16),
    ),
)

ELLA_MEMBERS = (("Ella Morris", MemberRole.CHILD), ("Chris Wood", MemberRole.EDUCATION))
ELLA_ENTRIES = (
    Entry(
        "Ella Morris",
        Section.A,
        "I want to study art and design at college and live on my own one day. I find crowded corridors "
        "and sudden noise very hard. I want to decide who sees what I write here.",
        200,
    ),
    Entry(
        "Chris Wood",
        Section.B,
        "Ella's anxiety in busy, unpredictable places means she misses lessons and finds it hard to start "
        "work without a clear plan for the lesson.",
        195,
        area=AreaOfNeed.SOCIAL_EMOTIONAL_AND_MENTAL_HEALTH,
    ),
    Entry(
        "Chris Wood",
        Section.B,
        "Ella needs to learn to plan journeys and manage money before she moves on to college.",
        195,
        area=AreaOfNeed.INDEPENDENCE,
    ),
    Entry(
        "Morgan Price",
        Section.E,
        "By the end of Year 12, Ella will travel to college on the bus on her own, three days a week.",
        190,
        achieve_by=date(2027, 7, 20),
    ),
    Entry(
        "Chris Wood",
        Section.F,
        "Travel training with a key worker, until Ella travels on her own.",
        190,
        delivered_by="Key worker trained in travel training",
        organisation="Hillcrest Academy",
        amount=2,
        unit=ProvisionUnit.SESSIONS,
        frequency=A_WEEK,
    ),
    Entry(
        "Chris Wood",
        Section.F,
        "Mentoring with a named member of staff to plan the week and check in, 20 minutes each session.",
        190,
        delivered_by="Named mentor",
        organisation="Hillcrest Academy",
        amount=2,
        unit=ProvisionUnit.SESSIONS,
        frequency=A_WEEK,
    ),
    Entry(
        "Morgan Price",
        Section.I,
        "Hillcrest Academy (sixth form), a mainstream academy.",
        185,
    ),
    Entry("Chris Wood", Section.K, "School advice for the EHC needs assessment (March).", 230),
)


def create_demo_plans(db: Session, people: dict[str, Person], organisations: dict[str, Organisation]) -> None:
    """Sam's and Ella's plans, once: a second run finds them and changes nothing."""
    sam, ella = people["Sam Taylor"], people["Ella Morris"]
    if db.exec(select(Child).where(Child.person_id == sam.id)).first() is None:
        _sams_plan(db, people, organisations)
    if db.exec(select(Child).where(Child.person_id == ella.id)).first() is None:
        _ellas_plan(db, people, organisations)
    create_demo_timelines(db, people, organisations)
    create_demo_delivery(db, people, organisations)


def _start(db: Session, coordinator: Person, new: NewPlan, child: Person) -> Plan:
    actor = Actor.command(coordinator)
    plan = create_plan(db, actor, new)
    record = db.get(Child, plan.child_id)
    assert record is not None
    record.person_id = child.id
    db.add(record)
    db.flush()
    return plan


def _write(
    db: Session, plan: Plan, people: dict[str, Person], organisations: dict[str, Organisation], entry: Entry
) -> Item:
    author = people[entry.author]
    access = plan_access(db, Actor.command(author), id_of(plan))
    new = items.NewItem(
        section=entry.section,
        text=entry.text,
        area_of_need=entry.area,
        achieve_by=entry.achieve_by,
        delivered_by=entry.delivered_by,
        delivered_by_organisation_id=organisations[entry.organisation].id if entry.organisation else None,
        amount=entry.amount,
        unit=entry.unit,
        frequency=entry.frequency,
        starts_on=uk_today() - timedelta(days=entry.days_ago) if entry.amount else None,
    )
    item = items.add_item(db, Actor.command(author), access, new)
    _back_date(db, item, entry.days_ago)
    return item


def _back_date(db: Session, item: Item, days_ago: int) -> None:
    when = utc_now() - timedelta(days=days_ago)
    item.created_at = when
    revision = db.get(ItemRevision, item.current_revision_id)
    assert revision is not None
    revision.created_at = when
    db.add_all([item, revision])
    db.flush()


def _enrol_all(
    db: Session,
    plan: Plan,
    coordinator: Person,
    people: dict[str, Person],
    who: tuple[tuple[str, MemberRole], ...],
) -> None:
    actor = Actor.command(coordinator)
    access = plan_access(db, actor, id_of(plan))
    for name, role in who:
        members.enrol(db, actor, access, people[name], role)


def _sams_plan(db: Session, people: dict[str, Person], organisations: dict[str, Organisation]) -> None:
    priya = people["Priya Shah"]
    sam = people["Sam Taylor"]
    assert sam.date_of_birth is not None
    new = NewPlan(
        kind=PlanKind.SEN_SUPPORT,
        child_full_name="Sam Taylor",
        child_date_of_birth=sam.date_of_birth,
        child_school_year="Year 4",
    )
    plan = _start(db, priya, new, sam)
    _enrol_all(db, plan, priya, people, SAM_MEMBERS)
    written = [_write(db, plan, people, organisations, entry) for entry in SAM_ENTRIES]
    link_thread(db, plan, people, written, SAM_THREAD)
    lunch = written[13]
    alex = people["Alex Taylor"]
    items.add_comment(
        db,
        Actor.command(alex),
        plan_access(db, Actor.command(alex), id_of(plan)),
        lunch,
        "Thank you. Sam says the library is 'much better' and he has eaten all his lunch twice this week.",
    )
    access = plan_access(db, Actor.command(priya), id_of(plan))
    review = lifecycle.record_review(
        db,
        Actor.command(priya),
        access,
        lifecycle.NewReview(
            held_on=uk_today() - timedelta(days=11),
            participants="Alex Taylor (parent), Sam (for the first part), Priya Shah (SENCo), "
            "Tom Baker (class teacher)",
            what_worked="Lunch in the library: Sam eats and comes back calm. "
            "The visual timetable helps on most days.",
            what_changes="Instructions: add a written checklist on the desk. "
            "Ask the OT review to look at assemblies.",
        ),
    )
    _sams_progress(db, plan, people, review, outcomes=(written[9], written[10], written[17]))
    tom = people["Tom Baker"]
    instructions = written[9]
    items.revise_item(
        db,
        Actor.command(tom),
        plan_access(db, Actor.command(tom), id_of(plan)),
        instructions,
        ItemContent(
            text="By the end of Year 4, Sam will follow a three-step instruction in class, with a visual "
            "prompt and a written checklist on his desk, in four out of five lessons.",
            achieve_by=date(2027, 7, 16),
        ),
        based_on=1,
    )


SAM_PROGRESS = (
    (ProgressRating.SOME_PROGRESS, "Sam follows two steps with the visual prompt; the third is still hard."),
    (ProgressRating.GOOD_PROGRESS, "Sam eats in the library most days and comes back calm."),
    (ProgressRating.NO_PROGRESS_YET, "The club starts next term."),
)


def _sams_progress(
    db: Session, plan: Plan, people: dict[str, Person], review: PlanReview, outcomes: tuple[Item, ...]
) -> None:
    """The review's progress per outcome: Tom rates, Sam says what he thinks, Priya finishes it."""
    tom, sam, priya = people["Tom Baker"], people["Sam Taylor"], people["Priya Shah"]
    ratings = [
        progress.Rating(item_id=id_of(item), rating=rating, words=words)
        for item, (rating, words) in zip(outcomes, SAM_PROGRESS, strict=True)
    ]
    progress.rate_outcomes(
        db, Actor.command(tom), plan_access(db, Actor.command(tom), id_of(plan)), review, ratings
    )
    said = [own_words.OwnWords(item_id=id_of(outcomes[1]), words="The library is much better. It is quiet.")]
    own_words.add_own_words(
        db, Actor.command(sam), plan_access(db, Actor.command(sam), id_of(plan)), review, said
    )
    progress.finish_review(
        db, Actor.command(priya), plan_access(db, Actor.command(priya), id_of(plan)), review
    )


def _ellas_plan(db: Session, people: dict[str, Person], organisations: dict[str, Organisation]) -> None:
    morgan = people["Morgan Price"]
    ella = people["Ella Morris"]
    assert ella.date_of_birth is not None
    new = NewPlan(
        kind=PlanKind.EHC,
        child_full_name="Ella Morris",
        child_date_of_birth=ella.date_of_birth,
        child_school_year="Year 12",
        setting_id=organisations["Hillcrest Academy"].id,
    )
    plan = _start(db, morgan, new, ella)
    _enrol_all(db, plan, morgan, people, ELLA_MEMBERS)
    written = [_write(db, plan, people, organisations, entry) for entry in ELLA_ENTRIES]
    link_thread(db, plan, people, written, ELLA_THREAD)
    actor = Actor.command(morgan)
    lifecycle.take_step(
        db,
        actor,
        plan_access(db, actor, id_of(plan)),
        lifecycle.StepRequest(step=lifecycle.Step.SEND_FOR_CONSULTATION),
    )
    # The family's 15 days ended in the spring; the demo plan was issued after them.
    plan.consultation_ends_on = uk_today() - timedelta(days=170)
    db.add(plan)
    lifecycle.take_step(
        db, actor, plan_access(db, actor, id_of(plan)), lifecycle.StepRequest(step=lifecycle.Step.ISSUE)
    )
