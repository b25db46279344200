"""Lists of many plans: a school's children with plans and its evidence pack, the council's list."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.dependencies import ActorDep, RowId, SessionDep, SettingsDep, requires
from app.models import PLAN_KIND_LABELS, PlanKind
from app.models.base import id_of
from app.permissions import Permission
from app.rendering import render
from app.services.lists import council, evidence, setting
from app.services.lists.evidence import Mark
from app.services.plans.words import plan_words

router = APIRouter()

Cursor = Annotated[int | None, Query(ge=1, le=2_147_483_647)]
"""A plan's number: the council's list goes on `after=` it, or back `before=` it."""
Flag = Annotated[str, Query(max_length=20)]


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _filters(kind: str, overdue: str, shortfall: str, sort: str) -> setting.Filters:
    return setting.read_filters({"kind": kind, "overdue": overdue, "shortfall": shortfall, "sort": sort})


@router.get("/settings/{setting_id}/plans", dependencies=[requires(Permission.READ_SETTING_LIST)])
def setting_plans_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    setting_id: RowId,
    kind: Flag = "",
    overdue: Flag = "",
    shortfall: Flag = "",
    sort: Flag = "",
) -> Response:
    """Every child with a live plan at the school, with what to act on; filtered, sorted, downloadable."""
    school = setting.setting_for(db, actor, setting_id)
    filters = _filters(kind, overdue, shortfall, sort)
    context = {
        "setting": school,
        "rows": setting.read_setting_list(db, settings, actor, school, filters),
        "filters": filters,
        "csv_query": urlencode(filters.query()),
        "kinds": [(kind.value, PLAN_KIND_LABELS[kind]) for kind in PlanKind],
        "plan_words": plan_words(db, school.local_authority_id),
    }
    return render(request, "pages/lists/setting.html", context)


@router.get("/settings/{setting_id}/plans.csv", dependencies=[requires(Permission.READ_SETTING_LIST)])
def setting_plans_csv(
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    setting_id: RowId,
    kind: Flag = "",
    overdue: Flag = "",
    shortfall: Flag = "",
    sort: Flag = "",
) -> Response:
    school = setting.setting_for(db, actor, setting_id)
    filters = _filters(kind, overdue, shortfall, sort)
    text = setting.export_setting_list(db, settings, actor, school, filters)
    return _csv(text, f"oneplan-children-with-plans-{setting_id}.csv")


@router.get("/settings/{setting_id}/evidence", dependencies=[requires(Permission.READ_SETTING_LIST)])
def setting_evidence_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    setting_id: RowId,
    mark: Flag = "",
) -> Response:
    """The share of the school's plans meeting each mark; each number opens the plans it counts."""
    school = setting.setting_for(db, actor, setting_id)
    pack = evidence.read_evidence_pack(db, settings, actor, school)
    chosen = Mark(mark) if mark in {known.value for known in Mark} else None
    context = {"pack": pack, "chosen": pack.figure(chosen) if chosen else None}
    return render(request, "pages/lists/evidence.html", context)


@router.get("/settings/{setting_id}/evidence.csv", dependencies=[requires(Permission.READ_SETTING_LIST)])
def setting_evidence_csv(
    db: SessionDep, settings: SettingsDep, actor: ActorDep, setting_id: RowId
) -> Response:
    school = setting.setting_for(db, actor, setting_id)
    text = evidence.export_evidence_pack(db, settings, actor, school)
    return _csv(text, f"oneplan-evidence-pack-{setting_id}.csv")


@router.get("/la/plans", dependencies=[requires(Permission.READ_LA_OVERVIEW)])
def council_plans_page(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    q: Annotated[str, Query(max_length=200)] = "",
    after: Cursor = None,
    before: Cursor = None,
) -> Response:
    """Every child and plan of the council, searched by the start of a word of a name or a reference,
    a page at a time."""
    own = council.council_of(db, actor)
    page = council.council_page(
        db, actor, id_of(own), search=q.replace("\x00", ""), after=after, before=before
    )
    search = {"q": page.search} if page.search else {}
    context = {
        "council": own,
        "plan_words": plan_words(db, id_of(own)),
        "page": page,
        "next_query": urlencode({**search, "after": page.after}) if page.after else None,
        "previous_query": urlencode({**search, "before": page.before}) if page.before else None,
    }
    return render(request, "pages/lists/council.html", context)
