"""Files returned with advice: PDF, PNG or JPEG, known by their content (never their name), size-limited.

Kept as every uploaded file is (app.services.stored_files), in the data folder's advice/; pictures
are re-encoded without what a camera adds, as a view's are. Served only through `read_attachment`, to
the members of the attachment's plan, and each read is audited.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from app.actor import Actor
from app.models.timeline import AdviceAttachment
from app.permissions import PlanAccess
from app.services import stored_files
from app.services.plans.plans import PlanProblem
from app.services.stored_files import FileStore, absent, kind_of, size_problem
from app.services.voices.pictures import PictureProblem, checked_picture

MAX_BYTES = stored_files.MAX_BYTES
MAX_FILES = 5
REQUEST_BYTES = MAX_FILES * MAX_BYTES + 1024 * 1024
"""The advice post's own body limit: every file it may keep, and a megabyte for the words and the
multipart framing. So a post of files the page would refuse one by one (too big, too many) still
reaches the page, which names the problem and keeps what was typed; beyond it, a 413."""
FIELD = "attachments"
PDF = ("application/pdf", "pdf")

NOT_ALLOWED = "{name} is not a PDF, PNG or JPEG file. Save it as a PDF, or choose a photo or scan."
TOO_BIG = "{name} is larger than 5 MB. Choose a smaller file, or save it again at a lower quality."
EMPTY = "{name} is empty. Choose the file again."
BROKEN = "{name} could not be opened. It may be damaged. Save it again, or choose another file."
TOO_MANY = f"Attach at most {MAX_FILES} files"


@dataclass(frozen=True)
class Upload:
    """A file as chosen: its name (shown, never a path) and its bytes (read up to one byte over the limit)."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    shown_name: str
    data: bytes
    media_type: str
    extension: str


def shown_name(name: str) -> str:
    """The chosen file's name as people will read it: no folders, only plain characters, 120 at most."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9 ._()-]", "_", base).strip(" .")
    return cleaned[:120] or "advice"


def checked_file(upload: Upload) -> CheckedFile:
    """The file as it will be stored, or PlanProblem naming the file and what to do instead."""
    name = shown_name(upload.name)
    data = upload.data
    too = size_problem(data)
    if too is not None:
        raise PlanProblem(FIELD, (EMPTY if too == "empty" else TOO_BIG).format(name=name))
    kind = kind_of(data)
    if kind == "pdf":
        if b"%%EOF" not in data[-2048:]:
            raise PlanProblem(FIELD, BROKEN.format(name=name))
        return CheckedFile(name, data, *PDF)
    if kind == "picture":
        try:
            picture = checked_picture(data)
        except PictureProblem:
            raise PlanProblem(FIELD, BROKEN.format(name=name)) from None
        return CheckedFile(name, picture.data, picture.media_type, picture.extension)
    raise PlanProblem(FIELD, NOT_ALLOWED.format(name=name))


def checked_files(uploads: list[Upload]) -> list[CheckedFile]:
    if len(uploads) > MAX_FILES:
        raise PlanProblem(FIELD, TOO_MANY)
    return [checked_file(upload) for upload in uploads]


STORE = FileStore("advice", frozenset({"pdf", "png", "jpg"}))


def store(data_dir: Path, checked: CheckedFile) -> str:
    """Write a checked file under a new random name and return the name."""
    return STORE.store(data_dir, checked.extension, checked.data)


def attachments_of(db: Session, plan_id: int, item_ids: list[int]) -> dict[int, list[AdviceAttachment]]:
    """The files of these items of the plan, by item id (one query)."""
    found: dict[int, list[AdviceAttachment]] = {}
    if not item_ids:
        return found
    for row in db.exec(
        select(AdviceAttachment)
        .where(AdviceAttachment.plan_id == plan_id, col(AdviceAttachment.item_id).in_(item_ids))
        .order_by(col(AdviceAttachment.id))
    ):
        found.setdefault(row.item_id or 0, []).append(row)
    return found


def plan_attachment(db: Session, access: PlanAccess, attachment_id: int) -> AdviceAttachment:
    """A file of this plan, for its members (and its council's auditors); absent to everyone else."""
    attachment = db.get(AdviceAttachment, attachment_id)
    if attachment is None or attachment.plan_id != access.plan.id or not access.may_see:
        raise absent(access, "advice_attachment", attachment_id, action="advice.attachment_refused")
    return attachment


def read_attachment(
    db: Session, actor: Actor, access: PlanAccess, data_dir: Path, attachment: AdviceAttachment
) -> bytes:
    """The stored file's bytes (a read of plan content: audited)."""
    return STORE.read(
        db,
        actor,
        access,
        data_dir,
        attachment,
        object_type="advice_attachment",
        action="advice.attachment_read",
        refused_as="advice.attachment_refused",
    )
