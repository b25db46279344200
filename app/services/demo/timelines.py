"""The demo's statutory timeline: Sam's EHC needs assessment at week 7, with Dr Khan's advice overdue.

Alex asked for the assessment 45 days ago from Sam's SEN Support plan; Morgan Price took it on for the
council, decided to assess, and asked for advice the next day: the school's and social care's came back
in time, Dr Khan's medical advice has not. Made through the same services as everything else.
"""

from datetime import timedelta

from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.models import Child, Organisation, Person, Plan, PlanKind
from app.models.base import id_of
from app.models.timeline import AdviceTopic, AssessmentRequest, StatutoryStep, StepKind, StepOutcome
from app.services.plans.access import plan_access
from app.services.timelines import timelines
from app.services.timelines.advice import AdviceReturned, NewAdviceRequest
from app.services.timelines.assessment import NewAssessmentRequest
from app.services.timelines.steps import StepDone

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
            timelines.record_advice_returned(
                db,
                morgan,
                access,
                advice,
                AdviceReturned(returned_on=sent_on + timedelta(days=returned_after)),
            )
    timelines.record_done(
        db,
        morgan,
        access,
        decision,
        StepDone(done_on=requested_on + timedelta(days=38), outcome=StepOutcome.ASSESS),
    )
