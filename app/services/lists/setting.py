"""A setting's list of every child with a live plan there, for its SENCo: what to act on, plan by plan.

Each fact is the one the plan page works out, from the same place (the timeline, the delivery log, the
quality checks, the voice figure), worked out for every plan at once: a fixed number of queries however
many plans the setting has.
"""

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.actor import Actor
from app.clock import uk_today
from app.config import Settings
from app.errors import Refused
from app.models import (
    ENDED_STATUSES,
    PLAN_STATUS_LABELS,
    Child,
    Item,
    ItemKind,
    Organisation,
    OrganisationKind,
    Person,
    Plan,
    PlanKind,
    SupportLayer,
)
from app.models.base import id_of
from app.permissions import Permission, role_may
from app.services import audit, sencos
from app.services.audit.csv_export import spreadsheet_safe
from app.services.delivery.overview import deliveries
from app.services.plans.links import links_of_plans
from app.services.plans.words import plan_words
from app.services.quality.report import QualityReport, outline_qualities
from app.services.timelines.reading import Timeline, timelines_of
from app.services.voices.views import VoiceFigure, voice_figure_of

ENDED = [status.value for status in ENDED_STATUSES]


@dataclass(frozen=True)
class SettingRow:
    """One child's plan at the setting, with the facts its pages show."""

    plan: Plan
    child: Child
    timeline: Timeline
    shortfalls: int
    """Provision of the plan (not ended) delivered short of what it promises, lately or this half term."""
    delivery_logged: bool
    """Some provision of the plan had its delivery logged in the recent weeks or this half term."""
    quality: QualityReport
    voice: VoiceFigure
    views: int
    """Views in the plan (section A), whoever's."""
    child_views: int
    """Of them, the child's own (written by the child, or recorded with them)."""

    @property
    def next_review(self) -> date | None:
        return self.timeline.next_review

    @property
    def layer(self) -> SupportLayer | None:
        """An ISP's layer of support (none for other plans)."""
        return self.plan.support_layer

    @property
    def overdue(self) -> int:
        return len(self.timeline.overdue)

    @property
    def quality_flags(self) -> int:
        return self.quality.flag_count


@dataclass(frozen=True)
class Filters:
    kind: PlanKind | None = None
    overdue: bool = False
    shortfall: bool = False
    sort: str = "review"
    """"review": the next review soonest first (none last); "name": by the child's name."""

    def keeps(self, row: SettingRow) -> bool:
        return (
            (self.kind is None or row.plan.kind is self.kind)
            and (not self.overdue or row.overdue > 0)
            and (not self.shortfall or row.shortfalls > 0)
        )

    def query(self) -> dict[str, str]:
        """The filters as the page's address carries them (for the CSV link)."""
        found = {"kind": self.kind.value if self.kind else "", "sort": self.sort}
        found |= {"overdue": "1" if self.overdue else "", "shortfall": "1" if self.shortfall else ""}
        return {key: value for key, value in found.items() if value}


def read_filters(values: dict[str, str]) -> Filters:
    """What the page's filter form asked for; anything not one of the options is left out."""
    kind = values.get("kind", "")
    return Filters(
        kind=PlanKind(kind) if kind in {k.value for k in PlanKind} else None,
        overdue=values.get("overdue") == "1",
        shortfall=values.get("shortfall") == "1",
        sort="name" if values.get("sort") == "name" else "review",
    )


def led_setting(db: Session, person: Person) -> int | None:
    """The school whose list the person leads (their own, as its designated SENCo), for a link; else None."""
    own = person.organisation_id
    if own is None or not role_may(person, Permission.READ_SETTING_LIST):
        return None
    return own if sencos.leads(db, person, own) else None


def setting_for(db: Session, actor: Actor, setting_id: int) -> Organisation:
    """The school whose list this person leads (`leads_setting`); any other is absent (404, audited)."""
    person = actor.signed_in()
    setting = db.get(Organisation, setting_id) if sencos.leads(db, person, setting_id) else None
    if setting is None or setting.kind is not OrganisationKind.SCHOOL:
        raise Refused(
            404,
            "Not Found",
            action="setting_list.refused",
            person=person,
            object_type="organisation",
            object_id=setting_id,
        )
    return setting


def setting_rows(
    db: Session, settings: Settings, setting_id: int, today: date | None = None
) -> list[SettingRow]:
    """Every live plan at the setting with its facts: nine queries, whatever the number of plans."""
    day = today or uk_today()
    found = db.exec(
        select(Plan, Child)
        .join(Child, col(Child.id) == col(Plan.child_id))
        .where(col(Plan.setting_id) == setting_id, col(Plan.status).not_in(ENDED))
        .order_by(col(Child.full_name), col(Plan.id))
    ).all()
    plans = [plan for plan, _child in found]
    plan_ids = [id_of(plan) for plan in plans]
    timelines = timelines_of(db, plans, day)
    short: Counter[int] = Counter()
    logged: set[int] = set()
    for provision in deliveries(db, settings, plan_ids, day, logged_only=True):
        logged.add(provision.item.plan_id)
        if provision.falls_short and provision.ended is None:
            short[provision.item.plan_id] += 1
    kinds: dict[int, dict[int, ItemKind]] = {plan_id: {} for plan_id in plan_ids}
    voices: defaultdict[int, list[int | None]] = defaultdict(list)
    if plan_ids:
        for plan_id, item_id, kind, voice_id, author_id in db.execute(
            sa_select(
                col(Item.plan_id), col(Item.id), col(Item.kind), col(Item.voice_id), col(Item.author_id)
            ).where(col(Item.plan_id).in_(plan_ids))
        ):
            kinds[plan_id][int(item_id or 0)] = kind
            if kind is ItemKind.VIEW:
                voices[plan_id].append(voice_id or author_id)
    links = links_of_plans(db, plan_ids)
    reports = outline_qualities(db, kinds, links)
    return [
        SettingRow(
            plan=plan,
            child=child,
            timeline=timelines[id_of(plan)],
            shortfalls=short[id_of(plan)],
            delivery_logged=id_of(plan) in logged,
            quality=reports[id_of(plan)],
            voice=voice_figure_of(kinds[id_of(plan)], links[id_of(plan)]),
            views=len(voices[id_of(plan)]),
            child_views=sum(
                1 for voice in voices[id_of(plan)] if child.person_id is not None and voice == child.person_id
            ),
        )
        for plan, child in found
    ]


def _chosen(rows: list[SettingRow], filters: Filters) -> list[SettingRow]:
    kept = [row for row in rows if filters.keeps(row)]
    if filters.sort == "review":
        kept.sort(key=lambda row: (row.next_review is None, row.next_review or date.max))
    return kept


def read_setting_list(
    db: Session, settings: Settings, actor: Actor, setting: Organisation, filters: Filters
) -> list[SettingRow]:
    """The list as the page shows it (audited: its figures are drawn from the plans' content)."""
    rows = _chosen(setting_rows(db, settings, id_of(setting)), filters)
    audit.record(
        db,
        actor,
        "setting_list.read",
        object_type="organisation",
        object_id=setting.id,
        details={"plans": len(rows), **filters.query()},
    )
    return rows


CSV_COLUMNS = (
    "plan",
    "child",
    "kind",
    "status",
    "layer",
    "next_review",
    "overdue_steps",
    "provision_short",
    "quality_flags",
    "outcomes",
    "outcomes_answering_a_view",
    "voice_figure_percent",
    "views",
)


def export_setting_list(
    db: Session, settings: Settings, actor: Actor, setting: Organisation, filters: Filters
) -> str:
    """The list as a CSV a spreadsheet opens safely (audited as a read of plan content)."""
    rows = _chosen(setting_rows(db, settings, id_of(setting)), filters)
    words = plan_words(db, setting.local_authority_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                spreadsheet_safe(value)
                for value in (
                    row.plan.reference,
                    row.child.full_name,
                    words.kind_name(row.plan.kind),
                    PLAN_STATUS_LABELS[row.plan.status],
                    words.layer_name(row.layer),
                    row.next_review.isoformat() if row.next_review else "",
                    row.overdue,
                    row.shortfalls,
                    row.quality_flags,
                    row.voice.outcomes,
                    row.voice.answering,
                    "" if row.voice.percent is None else row.voice.percent,
                    row.views,
                )
            ]
        )
    audit.record(
        db,
        actor,
        "setting_list.exported",
        object_type="organisation",
        object_id=setting.id,
        details={"plans": len(rows), **filters.query()},
    )
    return out.getvalue()
