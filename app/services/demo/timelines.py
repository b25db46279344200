"""The demo's statutory timeline: Sam's EHC needs assessment at week 7, with Dr Khan's advice overdue.

Alex asked for the assessment 45 days ago from Sam's SEN Support plan; Morgan Price took it on for the
council, decided to assess, and asked for advice the next day: the school's and social care's came back
in time, Dr Khan's medical advice has not. Made through the same services as everything else.
"""

from datetime import timedelta

from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import Child, Item, ItemRevision, Organisation, Person, Plan, PlanKind, Section
from app.models.base import id_of, utc_now
from app.models.timeline import AdviceTopic, AssessmentRequest, StatutoryStep, StepKind, StepOutcome
from app.services.plans.access import plan_access
from app.services.plans.items import NewItem, add_item
from app.services.timelines import timelines
from app.services.timelines.advice import AdviceReturned, NewAdviceRequest
from app.services.timelines.assessment import NewAssessmentRequest
from app.services.timelines.steps import StepDone

ADVICE = {
    AdviceTopic.EDUCATION: "Educational advice for the assessment: Sam's reading comprehension is about two "
    "years behind his reading accuracy; he needs instructions broken into steps, shown as well as said, and "
    "a quiet place to go when the classroom gets too much.",
    AdviceTopic.SOCIAL_CARE: "Social care advice for the assessment: short breaks continue; Sam needs help "
    "to join activities outside school with other children.",
}
"""What an adviser wrote when the demo's plan had no advice of theirs in section K yet."""

REQUESTED_DAYS_AGO = 45
"""Week 7 of 20 (days 42 to 48 after the request)."""


def create_demo_timelines(
    db: Session, people: dict[str, Person], organisations: dict[str, Organisation]
) -> None:
    """Sam's assessment, once: a second run finds it and changes nothing."""
    sam = people["Sam Taylor"]
    plan = db.exec(
        select(Plan)
        .join(Child, col(Child.id) == col(Plan.child_id))
        .where(Child.person_id == sam.id, Plan.kind == PlanKind.SEN_SUPPORT)
    ).first()
    if plan is None or db.exec(select(AssessmentRequest).where(AssessmentRequest.plan_id == plan.id)).first():
        return
    today = uk_today()
    requested_on = today - timedelta(days=REQUESTED_DAYS_AGO)
    alex, morgan = Actor.command(people["Alex Taylor"]), Actor.command(people["Morgan Price"])
    request = timelines.request_assessment(
        db,
        alex,
        plan_access(db, alex, id_of(plan)),
        NewAssessmentRequest(
            requested_on=requested_on,
            reason="Sam is struggling more each term despite the support in his plan.",
        ),
    )
    timelines.take_on(db, morgan, id_of(request))
    access = plan_access(db, morgan, id_of(plan))
    decision = db.exec(
        select(StatutoryStep).where(
            StatutoryStep.assessment_id == request.id, StatutoryStep.kind == StepKind.ASSESSMENT_DECISION
        )
    ).one()
    sent_on = requested_on + timedelta(days=1)
    asked = (
        (AdviceTopic.HEALTH, "Northshire NHS Trust", "Dr Aisha Khan", None),
        (AdviceTopic.EDUCATION, "Riverside Primary School", "Priya Shah", 38),
        (AdviceTopic.SOCIAL_CARE, "Northshire Children's Services", "Jo Green", 40),
    )
    written = {
        item.author_id: item
        for item in db.exec(select(Item).where(Item.plan_id == plan.id, Item.section == Section.K))
    }
    for topic, organisation, person, returned_after in asked:
        advice = timelines.send_advice_request(
            db,
            morgan,
            access,
            NewAdviceRequest(
                topic=topic,
                organisation_id=id_of(organisations[organisation]),
                person_id=id_of(people[person]),
                sent_on=sent_on,
            ),
        )
        if returned_after is not None:
            returned_on = sent_on + timedelta(days=returned_after)
            item = written.get(id_of(people[person])) or _written_on(
                db, people[person], id_of(plan), ADVICE[topic], today - returned_on
            )
            timelines.record_advice_returned(
                db,
                morgan,
                access,
                advice,
                AdviceReturned(returned_on=returned_on, advice_item_id=item.id),
            )
    timelines.record_done(
        db,
        morgan,
        access,
        decision,
        StepDone(done_on=requested_on + timedelta(days=38), outcome=StepOutcome.ASSESS),
    )


def _written_on(db: Session, adviser: Person, plan_id: int, text: str, ago: timedelta) -> Item:
    """Advice the adviser wrote in section K on the day it came back (so the plan's news is unchanged)."""
    actor = Actor.command(adviser)
    item = add_item(db, actor, plan_access(db, actor, plan_id), NewItem(section=Section.K, text=text))
    revision = db.get(ItemRevision, item.current_revision_id)
    item.created_at = utc_now() - ago
    db.add(item)
    if revision is not None:
        revision.created_at = item.created_at
        db.add(revision)
    db.flush()
    return item
