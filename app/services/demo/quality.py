"""The demo's golden thread: what each need, outcome and provision of the demo plans answers.

Sam's SEN Support plan is left with one need that nothing answers yet (his reading comprehension)
and one vague provision (the short breaks, written as "access to ... when appropriate"), so that the
quality checks have something to show. Ella's EHC plan is tied in throughout before it is issued.
Links are written through the links service by the people who write each section (audited).
"""

from sqlmodel import Session

from app.actor import Actor
from app.models import Item, Person, Plan
from app.models.base import id_of
from app.services.plans import links
from app.services.plans.access import plan_access

SAM_THREAD = (
    # (who links, the item by its place in SAM_ENTRIES, what it answers)
    ("Jo Green", 6, 1),  # need: joining activities outside school <- Alex's view
    ("Priya Shah", 9, 2),  # outcome: following instructions -> the instructions need
    ("Priya Shah", 9, 0),  # ... and Sam's view (Mr Baker says what happens next)
    ("Tom Baker", 10, 3),  # outcome: lunch calmly -> anxiety when routine changes
    ("Tom Baker", 10, 5),  # ... and the sensory need
    ("Tom Baker", 10, 1),  # ... and Alex's view (a quiet place)
    ("Priya Shah", 17, 6),  # outcome: an after-school club -> joining activities outside school
    ("Priya Shah", 11, 9),  # language sessions -> following instructions
    ("Tom Baker", 12, 9),  # visual timetable -> following instructions
    ("Tom Baker", 12, 10),  # ... and lunch calmly
    ("Priya Shah", 13, 10),  # quiet lunch -> lunch calmly
    ("Dr Aisha Khan", 14, 10),  # occupational therapy -> lunch calmly
    ("Dr Aisha Khan", 14, 5),  # ... and the sensory need directly
    ("Jo Green", 15, 17),  # short breaks -> the after-school club outcome
    ("Priya Shah", 16, 9),  # 1:1 support (the delivery log's) -> following instructions
)
"""Need 4 (reading comprehension) is left unanswered on purpose."""

ELLA_THREAD = (
    ("Morgan Price", 3, 1),  # outcome: travel on her own -> anxiety in busy places
    ("Morgan Price", 3, 2),  # ... and planning journeys
    ("Morgan Price", 3, 0),  # ... and Ella's own view
    ("Chris Wood", 4, 3),  # travel training -> travelling on her own
    ("Chris Wood", 5, 3),  # mentoring -> travelling on her own
)


def link_thread(
    db: Session,
    plan: Plan,
    people: dict[str, Person],
    written: list[Item],
    thread: tuple[tuple[str, int, int], ...],
) -> None:
    for name, item, answers in thread:
        actor = Actor.command(people[name])
        links.add_link(db, actor, plan_access(db, actor, id_of(plan)), written[item], id_of(written[answers]))
