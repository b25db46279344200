"""Renew a plan's content stamp when a transaction that changed the plan commits.

Every change to a plan is audited with the plan's id (`app.services.audit.record`), which notes the
plan here; the new stamp is written as the transaction commits, after its other changes, so the
plan's row is locked only for that moment, and plans are stamped in id order so that two commits
never wait on each other's plans. A page worked out from a plan under one stamp (`app.page_cache`)
is never shown once the stamp has changed: the stamp commits with the change, so whoever can read
the change reads the new stamp.
"""

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from app.models import Plan
from app.models.plan import new_content_stamp

_CHANGED = "oneplan_changed_plans"


def note_change(db: Session, plan_id: int) -> None:
    db.info.setdefault(_CHANGED, set()).add(plan_id)


@event.listens_for(Session, "before_commit")
def _stamp_changed_plans(db: Session) -> None:
    for plan_id in sorted(db.info.pop(_CHANGED, ())):
        db.execute(
            update(Plan)
            .where(Plan.id == plan_id)
            .values(content_stamp=new_content_stamp())
            .execution_options(synchronize_session=False)
        )


@event.listens_for(Session, "after_rollback")
def _forget_changed_plans(db: Session, *_: Any) -> None:
    db.info.pop(_CHANGED, None)
