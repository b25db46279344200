"""Pictures with views: checked by their content, re-encoded without metadata, stored outside static/.

Only PNG and JPEG are kept, whatever a file is called. A picture is decoded under a pixel limit (so
that a small file cannot unpack into gigabytes), then written afresh: what a camera or phone adds
(EXIF, GPS position, comments) is not copied. Files are kept as every uploaded file is
(app.services.stored_files), in the data folder's pictures/, and are served only through
`read_picture`, to people who may see the view.
"""

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session

from app.actor import Actor
from app.models import Section, ViewPicture
from app.models.base import id_of
from app.permissions import PlanAccess, may_write_in
from app.services import audit, stored_files
from app.services.plans.access import refuse
from app.services.plans.items import plan_item
from app.services.stored_files import FileStore, absent, size_problem

MAX_BYTES = stored_files.MAX_BYTES
MAX_PIXELS = 25_000_000
"""About 5,000 by 5,000: any phone photo, and far below what could exhaust the server's memory."""
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg")}

NOT_A_PICTURE = "That picture is not a PNG or JPEG. Try a photo or a drawing saved as PNG or JPEG."
TOO_BIG = "That picture is too big. Choose one smaller than 5 MB."
TOO_MANY_PIXELS = "That picture is too big. Choose a smaller photo or drawing."
BROKEN = "That picture could not be opened. It may be damaged. Try saving it again, or choose another one."
EMPTY = "That file is empty. Choose a photo or a drawing."


class PictureProblem(ValueError):
    """What is wrong with a file, in words the person who chose it can act on."""


@dataclass(frozen=True)
class CheckedPicture:
    data: bytes
    media_type: str
    extension: str
    width: int
    height: int


def checked_picture(data: bytes) -> CheckedPicture:
    """The picture re-encoded without metadata, or PictureProblem saying what to do instead."""
    problem = size_problem(data)
    if problem is not None:
        raise PictureProblem(EMPTY if problem == "empty" else TOO_BIG)
    try:
        with Image.open(BytesIO(data), formats=list(FORMATS)) as opened:
            if opened.format not in FORMATS:
                raise PictureProblem(NOT_A_PICTURE)
            width, height = opened.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                raise PictureProblem(TOO_MANY_PIXELS)
            kind = opened.format
            opened.load()
            image = ImageOps.exif_transpose(opened) if kind == "JPEG" else opened.copy()
    except PictureProblem:
        raise
    except UnidentifiedImageError:
        raise PictureProblem(NOT_A_PICTURE) from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PictureProblem(BROKEN) from None
    media_type, extension = FORMATS[kind]
    out = BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, format="JPEG", quality=90)
    else:
        image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB").save(
            out, format="PNG", optimize=True
        )
    return CheckedPicture(out.getvalue(), media_type, extension, image.width, image.height)


STORE = FileStore("pictures", frozenset({"png", "jpg"}))


def new_name(media_type: str) -> str:
    """A random name for a picture to be stored, by what it is (never a name chosen outside OnePlan)."""
    return STORE.new_name("jpg" if media_type == FORMATS["JPEG"][0] else "png")


def add_picture(db: Session, actor: Actor, access: PlanAccess, data_dir: Path, data: bytes) -> ViewPicture:
    """Keep a picture for a view not yet sent (only its uploader sees it until the view is sent)."""
    if not may_write_in(access, Section.A):
        refuse(
            access, "Only the people who write views on this plan can add pictures.", action="picture.refused"
        )
    checked = checked_picture(data)
    name = STORE.store(data_dir, checked.extension, checked.data)
    picture = ViewPicture(
        plan_id=id_of(access.plan),
        file_name=name,
        media_type=checked.media_type,
        byte_size=len(checked.data),
        width=checked.width,
        height=checked.height,
        uploaded_by=id_of(access.person),
    )
    db.add(picture)
    db.flush()
    audit.record(
        db,
        actor,
        "picture.added",
        object_type="view_picture",
        object_id=picture.id,
        details={"plan_id": picture.plan_id, "bytes": picture.byte_size, "media_type": picture.media_type},
    )
    return picture


def plan_picture(db: Session, access: PlanAccess, picture_id: int) -> ViewPicture:
    """A picture of this plan that this person may see (its view's audience decides); others are absent."""
    picture = db.get(ViewPicture, picture_id)
    if picture is not None and picture.plan_id == access.plan.id:
        if picture.item_id is not None:
            plan_item(db, access, picture.item_id)  # 404 when the view is hidden from this person
            return picture
        if picture.uploaded_by == access.person.id:
            return picture
    raise absent(access, "view_picture", picture_id, action="picture.refused")


def read_picture(
    db: Session, actor: Actor, access: PlanAccess, data_dir: Path, picture: ViewPicture
) -> bytes:
    """The stored picture's bytes (a read of plan content: audited)."""
    return STORE.read(
        db,
        actor,
        access,
        data_dir,
        picture,
        object_type="view_picture",
        action="picture.read",
        refused_as="picture.refused",
    )
