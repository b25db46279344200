"""A setting's evidence pack for an inspection: the share of its plans that meet each mark of a good plan.

Each figure counts the setting's live plans from the facts of its list (`setting.setting_rows`), and
names the plans it counts, so that an inspector can open them.
"""

import csv
import io
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from app.actor import Actor
from app.config import Settings
from app.models import Organisation
from app.models.base import id_of
from app.services import audit
from app.services.audit.csv_export import spreadsheet_safe
from app.services.lists.setting import SettingRow, setting_rows


class Mark(StrEnum):
    REVIEWED_ON_TIME = "reviewed_on_time"
    CHILD_VOICE = "child_voice"
    SPECIFIC_PROVISION = "specific_provision"
    UNBROKEN_THREAD = "unbroken_thread"
    DELIVERY_LOGGED = "delivery_logged"


MARK_LABELS = {
    Mark.REVIEWED_ON_TIME: "Reviewed on time",
    Mark.CHILD_VOICE: "With the child's own views",
    Mark.SPECIFIC_PROVISION: "With specific provision (nothing flagged as vague)",
    Mark.UNBROKEN_THREAD: "With an unbroken thread from need to outcome to provision",
    Mark.DELIVERY_LOGGED: "With delivery logged in recent weeks",
}


def meets(row: SettingRow, mark: Mark) -> bool:
    """Whether one plan meets the mark, from the facts its own pages show."""
    if mark is Mark.REVIEWED_ON_TIME:
        return row.timeline.reviewed_on_time
    if mark is Mark.CHILD_VOICE:
        return row.child_views > 0
    if mark is Mark.SPECIFIC_PROVISION:
        return row.quality.provision_specific
    if mark is Mark.UNBROKEN_THREAD:
        return row.quality.thread_unbroken
    return row.delivery_logged


@dataclass(frozen=True)
class Figure:
    mark: Mark
    plans: list[SettingRow]
    """The plans that meet the mark."""
    of: int

    @property
    def label(self) -> str:
        return MARK_LABELS[self.mark]

    @property
    def percent(self) -> int | None:
        return round(100 * len(self.plans) / self.of) if self.of else None


@dataclass(frozen=True)
class EvidencePack:
    setting: Organisation
    rows: list[SettingRow]
    figures: list[Figure]

    def figure(self, mark: Mark) -> Figure:
        return next(found for found in self.figures if found.mark is mark)


def _pack(db: Session, settings: Settings, setting: Organisation) -> EvidencePack:
    rows = setting_rows(db, settings, id_of(setting))
    figures = [Figure(mark, [row for row in rows if meets(row, mark)], len(rows)) for mark in Mark]
    return EvidencePack(setting, rows, figures)


def read_evidence_pack(db: Session, settings: Settings, actor: Actor, setting: Organisation) -> EvidencePack:
    """The pack as its page shows it (audited: its figures are drawn from the plans' content)."""
    pack = _pack(db, settings, setting)
    audit.record(
        db,
        actor,
        "setting_evidence.read",
        object_type="organisation",
        object_id=setting.id,
        details={"plans": len(pack.rows)},
    )
    return pack


CSV_COLUMNS = ("plan", "child", *(mark.value for mark in Mark))


def export_evidence_pack(db: Session, settings: Settings, actor: Actor, setting: Organisation) -> str:
    """One line per plan, yes or no for each mark, then the share of plans for each (audited)."""
    pack = _pack(db, settings, setting)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in pack.rows:
        marks = ["yes" if meets(row, mark) else "no" for mark in Mark]
        writer.writerow([spreadsheet_safe(row.plan.reference), spreadsheet_safe(row.child.full_name), *marks])
    shares = [f"{found.percent}%" if found.percent is not None else "" for found in pack.figures]
    writer.writerow(["all plans", len(pack.rows), *shares])
    audit.record(
        db,
        actor,
        "setting_evidence.exported",
        object_type="organisation",
        object_id=setting.id,
        details={"plans": len(pack.rows)},
    )
    return out.getvalue()
