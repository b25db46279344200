"""Files people upload with plan content (a view's pictures, advice's reports), kept one way.

Known by their bytes, never their names; at most 5 MB; stored outside static/, in a folder of the data
folder, under random names; opened only by a name OnePlan gave; read back with an audit event, and
absent (404, recorded) to whoever may not see them. What a file must be (a picture re-encoded, a PDF
whole), and who may see it, stays with the service that owns it: app.services.voices.pictures and
app.services.timelines.advice_files.
"""

import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from sqlmodel import Session

from app.actor import Actor
from app.errors import Refused
from app.permissions import PlanAccess
from app.services import audit

MAX_BYTES = 5 * 1024 * 1024
"""The most one uploaded file may be; a reader reads one byte more, so that a larger one is known."""

STORED_NAME = re.compile(r"[A-Za-z0-9_-]{16,64}\.(pdf|png|jpg)")
"""The only names OnePlan gives stored files: a name of any other shape is never opened as a path."""

Kind = Literal["pdf", "picture"]


def kind_of(data: bytes) -> Kind | None:
    """What the file's first bytes say it is: a PDF, a PNG or JPEG picture, or neither."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return "picture"
    return None


def size_problem(data: bytes) -> Literal["empty", "too big"] | None:
    """Why a file cannot be kept whatever it is, for its service to say in its own words."""
    if not data:
        return "empty"
    if len(data) > MAX_BYTES:
        return "too big"
    return None


def absent(access: PlanAccess, object_type: str, object_id: int, *, action: str) -> Refused:
    """The answer for a file that is not there for this person: 404, the refusal recorded."""
    return Refused(
        404, "Not Found", action=action, person=access.person, object_type=object_type, object_id=object_id
    )


class StoredRow(Protocol):
    """The row that names a stored file, on a plan and, once placed, with an item of it."""

    id: int | None
    plan_id: int
    item_id: int | None
    file_name: str


@dataclass(frozen=True)
class FileStore:
    """One folder of the data folder and the kinds of file (by extension) it keeps."""

    folder: str
    extensions: frozenset[str]

    def directory(self, data_dir: Path) -> Path:
        found = data_dir / self.folder
        found.mkdir(parents=True, exist_ok=True)
        return found

    def stored_path(self, data_dir: Path, file_name: str) -> Path | None:
        """Where a stored file lives, or None for a name OnePlan would never have given it here."""
        shaped = STORED_NAME.fullmatch(file_name)
        if shaped is None or shaped.group(1) not in self.extensions:
            return None
        return self.directory(data_dir) / file_name

    def stored_bytes(self, data_dir: Path, file_name: str) -> bytes | None:
        """A stored file's bytes, or None when the name is not one of ours or the file is gone."""
        path = self.stored_path(data_dir, file_name)
        if path is None or not path.is_file():
            return None
        return path.read_bytes()

    def new_name(self, extension: str) -> str:
        """A random name for a file to be stored (never one chosen outside OnePlan)."""
        if extension not in self.extensions:
            raise ValueError(f"{self.folder}/ keeps no .{extension} files")
        return f"{secrets.token_urlsafe(24)}.{extension}"

    def store_as(self, data_dir: Path, file_name: str, data: bytes) -> None:
        path = self.stored_path(data_dir, file_name)
        if path is None:  # pragma: no cover - names come from new_name
            raise ValueError(f"not a stored file's name: {file_name!r}")
        path.write_bytes(data)

    def store(self, data_dir: Path, extension: str, data: bytes) -> str:
        """Write checked bytes under a new random name and return the name."""
        name = self.new_name(extension)
        self.store_as(data_dir, name, data)
        return name

    def read(
        self,
        db: Session,
        actor: Actor,
        access: PlanAccess,
        data_dir: Path,
        row: StoredRow,
        *,
        object_type: str,
        action: str,
        refused_as: str,
    ) -> bytes:
        """A stored file's bytes, the reading audited as `action` (it is plan content); a file that is
        gone is absent, recorded as `refused_as`."""
        data = self.stored_bytes(data_dir, row.file_name)
        if data is None:
            raise absent(access, object_type, row.id or 0, action=refused_as)
        audit.record(
            db,
            actor,
            action,
            object_type=object_type,
            object_id=row.id,
            details={"plan_id": row.plan_id, "item_id": row.item_id},
        )
        return data
