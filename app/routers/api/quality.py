"""The plan quality API: a plan's quality report, its differences of opinion, and the LA's figures."""

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel

from app.dependencies import ActorDep, CurrentPerson, CurrentPlan, SessionDep, requires
from app.models import ItemKind, Section
from app.models.base import id_of
from app.permissions import Permission
from app.routers.api.responses import FORBIDDEN, READ, UNSIGNED, WRITE, input_problems
from app.routers.api.routing import SharedPathRoute
from app.services.quality import differences as differences_service
from app.services.quality.local_authority import la_quality
from app.services.quality.report import plan_quality

router = APIRouter(prefix="/api/v1", tags=["quality"], route_class=SharedPathRoute)


class FlagOut(BaseModel):
    code: str
    message: str
    advice: str
    phrase: str | None
    found: str | None


class ItemQualityOut(BaseModel):
    item_id: int
    kind: ItemKind
    breaks: list[str]
    flags: list[FlagOut]
    answers: list[int]
    answered_by: list[int]
    unquantified: bool


class NeedThreadOut(BaseModel):
    need_id: int
    outcome_ids: list[int]
    provision_ids: list[int]
    breaks: list[str]


class QualityOut(BaseModel):
    plan_id: int
    thread_unbroken: bool
    breaks: int
    needs: int
    needs_unbroken: int
    provisions: int
    unspecific_provisions: int
    unquantified_provisions: int
    threads: list[NeedThreadOut]
    items: list[ItemQualityOut]


@router.get("/plans/{plan_id}/quality", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def read_quality(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> QualityOut:
    """The plan's quality report: where the golden thread breaks and which provision is not specific."""
    report = plan_quality(db, actor, access)
    return QualityOut(
        plan_id=report.plan_id,
        thread_unbroken=report.thread_unbroken,
        breaks=report.breaks,
        needs=len(report.threads),
        needs_unbroken=report.needs_unbroken,
        provisions=len(report.provisions),
        unspecific_provisions=len(report.unspecific),
        unquantified_provisions=len(report.unquantified),
        threads=[
            NeedThreadOut(
                need_id=thread.need_id,
                outcome_ids=thread.outcome_ids,
                provision_ids=thread.provision_ids,
                breaks=thread.breaks,
            )
            for thread in report.threads
        ],
        items=[
            ItemQualityOut(
                item_id=entry.item_id,
                kind=entry.kind,
                breaks=entry.breaks,
                flags=[
                    FlagOut(
                        code=flag.code,
                        message=flag.message,
                        advice=flag.advice,
                        phrase=flag.phrase,
                        found=flag.found,
                    )
                    for flag in entry.flags
                ],
                answers=entry.answers,
                answered_by=entry.answered_by,
                unquantified=entry.unquantified,
            )
            for entry in sorted(report.items.values(), key=lambda entry: entry.item_id)
        ],
    )


class DifferenceViewOut(BaseModel):
    holder_id: int | None
    holder_name: str
    view: str


class DifferenceOut(BaseModel):
    id: int
    version: int
    section: Section | None
    item_id: int | None
    review_id: int | None
    about: str
    recorded_by_id: int
    created_at: datetime
    views: list[DifferenceViewOut]


def _difference(record: differences_service.DifferenceRecord) -> DifferenceOut:
    difference = record.difference
    return DifferenceOut(
        id=id_of(difference),
        version=difference.version,
        section=difference.section,
        item_id=difference.item_id,
        review_id=difference.review_id,
        about=difference.about,
        recorded_by_id=difference.recorded_by_id,
        created_at=difference.created_at,
        views=[
            DifferenceViewOut(holder_id=view.holder_id, holder_name=view.holder_name, view=view.view)
            for view in record.views
        ],
    )


@router.get("/plans/{plan_id}/differences", dependencies=[requires(Permission.READ_PLANS)], responses=READ)
def read_differences(access: CurrentPlan, db: SessionDep, actor: ActorDep) -> list[DifferenceOut]:
    """The plan's differences of opinion, each beside the section or item it concerns, with each view."""
    return [_difference(record) for record in differences_service.read_differences(db, actor, access)]


@router.post(
    "/plans/{plan_id}/differences",
    dependencies=[requires(Permission.CONTRIBUTE)],
    responses=WRITE,
    status_code=201,
)
def record_difference(
    new: differences_service.NewDifference, access: CurrentPlan, db: SessionDep, actor: ActorDep
) -> DifferenceOut:
    """Record a difference of opinion (on a draft, or at a review); it is never changed afterwards."""
    with input_problems():
        difference = differences_service.record_difference(db, actor, access, new)
    [record] = [
        found
        for found in differences_service.differences(db, id_of(access.plan))
        if found.difference.id == difference.id
    ]
    return _difference(record)


class MonthOut(BaseModel):
    month: date
    plans: int
    unbroken: int
    vague: int


class CountOut(BaseModel):
    name: str
    provisions: int


class PlanFiguresOut(BaseModel):
    plan_id: int
    reference: str
    setting: str
    thread_unbroken: bool
    breaks: int
    unspecific_provisions: int


class LaQualityOut(BaseModel):
    plans: int
    unbroken: int
    share_unbroken_percent: int
    vague_provisions: int
    vague_by_setting: list[CountOut]
    vague_by_agency: list[CountOut]
    months: list[MonthOut]
    by_plan: list[PlanFiguresOut]


@router.get(
    "/la/quality", dependencies=[requires(Permission.READ_LA_OVERVIEW)], responses={**UNSIGNED, **FORBIDDEN}
)
def read_la_quality(db: SessionDep, actor: ActorDep, person: CurrentPerson) -> LaQualityOut:
    """Plan quality across the caller's own local authority: figures only, no plan content."""
    figures = la_quality(db, actor, person)
    return LaQualityOut(
        plans=len(figures.plans),
        unbroken=figures.unbroken,
        share_unbroken_percent=figures.share,
        vague_provisions=figures.vague,
        vague_by_setting=[CountOut(name=name, provisions=count) for name, count in figures.vague_by_setting],
        vague_by_agency=[CountOut(name=name, provisions=count) for name, count in figures.vague_by_agency],
        months=[
            MonthOut(month=month.month, plans=month.plans, unbroken=month.unbroken, vague=month.vague)
            for month in figures.months
        ],
        by_plan=[
            PlanFiguresOut(
                plan_id=id_of(entry.plan),
                reference=entry.plan.reference,
                setting=entry.setting,
                thread_unbroken=entry.report.thread_unbroken,
                breaks=entry.report.breaks,
                unspecific_provisions=len(entry.report.unspecific),
            )
            for entry in figures.plans
        ],
    )
