"""A council's words for the Individual Support Plan and its layers of support.

The statutory wording is not settled: each council may name the plan and its three layers its own
way, and every page, PDF and export shows them through `plan_words` (no row: the white paper's names).
"""

from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import (
    PLAN_KIND_LABELS,
    SETTING_KINDS,
    SUPPORT_LAYER_LABELS,
    Organisation,
    OrganisationKind,
    Plan,
    PlanKind,
    PlanWording,
    SupportLayer,
)
from app.models.base import Words, utc_now
from app.permissions import Permission, role_may
from app.services import audit


@dataclass(frozen=True)
class PlanWords:
    """The names a council uses; hashable, so pages kept in memory are kept under them too."""

    plan_name: str = PLAN_KIND_LABELS[PlanKind.ISP]
    targeted: str = SUPPORT_LAYER_LABELS[SupportLayer.TARGETED]
    targeted_plus: str = SUPPORT_LAYER_LABELS[SupportLayer.TARGETED_PLUS]
    specialist: str = SUPPORT_LAYER_LABELS[SupportLayer.SPECIALIST]

    @property
    def a_plan_name(self) -> str:
        """The name after "a" or "an": "an Individual Support Plan", "a Support Passport"."""
        return f"{'an' if self.plan_name[:1].casefold() in 'aeiou' else 'a'} {self.plan_name}"

    def kind_name(self, kind: PlanKind | str) -> str:
        """The name of a kind of plan: the council's for the ISP, the usual one for the others."""
        if kind == PlanKind.ISP:
            return self.plan_name
        return PLAN_KIND_LABELS.get(PlanKind(kind), str(kind))

    def layer_name(self, layer: SupportLayer | str | None) -> str:
        if layer is None or layer == "":
            return ""
        return {
            SupportLayer.TARGETED: self.targeted,
            SupportLayer.TARGETED_PLUS: self.targeted_plus,
            SupportLayer.SPECIALIST: self.specialist,
        }[SupportLayer(layer)]


DEFAULT_WORDS = PlanWords()


def plan_words(db: Session, local_authority_id: int | None) -> PlanWords:
    """The one place the words come from: the council's own, or the white paper's."""
    if local_authority_id is None:
        return DEFAULT_WORDS
    row = db.exec(
        select(PlanWording).where(col(PlanWording.local_authority_id) == local_authority_id)
    ).first()
    return words_of(row)


def words_of(row: PlanWording | None) -> PlanWords:
    """The words of a council's row (read with something else in one query), or the white paper's."""
    if row is None:
        return DEFAULT_WORDS
    return PlanWords(row.plan_name, row.targeted, row.targeted_plus, row.specialist)


def words_for_plan(db: Session, plan: Plan) -> PlanWords:
    """A plan's words: a setting's plan (an ISP, or a SEN Support plan that may become one) in its
    council's; an EHC plan's never differ from the defaults, so it costs no query."""
    return plan_words(db, plan.local_authority_id) if plan.kind in SETTING_KINDS else DEFAULT_WORDS


class NewWords(BaseModel):
    plan_name: Words = Field(min_length=1, max_length=80)
    targeted: Words = Field(min_length=1, max_length=60)
    targeted_plus: Words = Field(min_length=1, max_length=60)
    specialist: Words = Field(min_length=1, max_length=60)


class WordsProblem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def local_authority(db: Session, organisation_id: int) -> Organisation | None:
    found = db.get(Organisation, organisation_id)
    return found if found is not None and found.kind is OrganisationKind.LOCAL_AUTHORITY else None


def change_words(db: Session, actor: Actor, local_authority_id: int, new: NewWords) -> PlanWords:
    """The administrator sets a council's words; the old and new names are kept in the audit trail."""
    person = actor.signed_in()
    if not role_may(person, Permission.MANAGE_PLAN_WORDS):
        raise PermissionError("Only an administrator changes a council's words")
    if local_authority(db, local_authority_id) is None:
        raise WordsProblem("local_authority_id", "Select a local authority")
    names = [new.targeted.casefold(), new.targeted_plus.casefold(), new.specialist.casefold()]
    if len(set(names)) < 3:
        raise WordsProblem("targeted_plus", "Give each layer of support a different name")
    before = plan_words(db, local_authority_id)
    row = db.exec(
        select(PlanWording).where(col(PlanWording.local_authority_id) == local_authority_id)
    ).first()
    row = row or PlanWording(
        local_authority_id=local_authority_id, plan_name="", targeted="", targeted_plus="", specialist=""
    )
    row.plan_name, row.targeted = new.plan_name, new.targeted
    row.targeted_plus, row.specialist = new.targeted_plus, new.specialist
    row.changed_at, row.changed_by_id = utc_now(), person.id
    db.add(row)
    db.flush()
    after = plan_words(db, local_authority_id)
    audit.record(
        db,
        actor,
        "plan_words.changed",
        object_type="organisation",
        object_id=local_authority_id,
        details={"before": before.__dict__, "after": after.__dict__},
    )
    return after
