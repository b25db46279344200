"""A parent's views saved as a draft, to finish later.

The draft is its writer's alone: it is read only by the same person on the same plan, it is no view (no
item, nothing the team reads, no "views.sent"), and saving it is audited as its own action,
"views.draft_saved", with how many answers it holds but not their words. Sending the views ends it.
"""

from typing import Any

from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import ViewAudience, ViewDraft, ViewPrompt
from app.models.base import utc_now
from app.permissions import PlanAccess, may_keep_view_draft
from app.services import audit
from app.services.plans.access import refuse

MAX_ANSWER = 10000


def _own(db: Session, access: PlanAccess) -> ViewDraft | None:
    return db.exec(
        select(ViewDraft).where(
            col(ViewDraft.plan_id) == access.plan.id, col(ViewDraft.person_id) == access.person.id
        )
    ).first()


def _kept(values: dict[str, Any]) -> dict[str, Any]:
    """Only what the screens carry: each question's answer and picture, and who may read them."""
    kept: dict[str, Any] = {}
    for prompt in ViewPrompt:
        kept[f"answer_{prompt.value}"] = str(values.get(f"answer_{prompt.value}", ""))[:MAX_ANSWER]
        kept[f"picture_{prompt.value}"] = str(values.get(f"picture_{prompt.value}", ""))[:12]
    audience = str(values.get("audience", ""))
    kept["audience"] = audience if audience in set(ViewAudience) else ViewAudience.EVERYONE.value
    kept["readers"] = [str(reader) for reader in values.get("readers", [])][:50]
    return kept


def save_draft(db: Session, actor: Actor, access: PlanAccess, values: dict[str, Any]) -> ViewDraft:
    """Keep the answers so far for this person on this plan (one draft each, replaced when saved again)."""
    if not may_keep_view_draft(access):
        refuse(access, "Only a parent or carer can save their views to finish later.", action="views.refused")
    draft = _own(db, access) or ViewDraft(plan_id=access.plan.id or 0, person_id=access.person.id or 0)
    draft.answers = _kept(values)
    draft.saved_at = utc_now()
    db.add(draft)
    db.flush()
    answered = sum(1 for prompt in ViewPrompt if draft.answers[f"answer_{prompt.value}"].strip())
    audit.record(
        db,
        actor,
        "views.draft_saved",
        object_type="plan",
        object_id=access.plan.id,
        details={"plan_id": access.plan.id, "answers": answered},
    )
    return draft


def own_draft(db: Session, access: PlanAccess) -> ViewDraft | None:
    """This person's draft on this plan, if they saved one (nobody else's)."""
    return _own(db, access)


def end_draft(db: Session, access: PlanAccess) -> None:
    """The views are sent: the draft has done its work (the "views.sent" event of the same transaction
    records the sending)."""
    draft = _own(db, access)
    if draft is not None:
        db.delete(draft)
        db.flush()
