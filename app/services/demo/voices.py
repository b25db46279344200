"""The demo's views: Sam's answers to the young person's questions (one with a drawing) and Alex's,
some of them answered by the plan's outcomes and provision, one only for the people Sam picked.

Written through the same services as everything else (so each has its author and audit event). The
drawing is made here with Pillow, so that no picture file is kept in the repository.
"""

from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import Child, Item, ItemRevision, Person, Plan, ViewAudience, ViewDetail, ViewPrompt
from app.models.base import id_of
from app.permissions import PlanAccess
from app.services.plans import links
from app.services.plans.access import plan_access
from app.services.voices import pictures, views


def dragon_drawing() -> bytes:
    """A child's drawing of a green dragon, as a small PNG."""
    image = Image.new("RGB", (320, 240), "white")
    pen = ImageDraw.Draw(image)
    pen.ellipse((70, 90, 230, 180), fill="#00703c", outline="black", width=3)
    pen.ellipse((200, 60, 270, 120), fill="#00703c", outline="black", width=3)
    pen.ellipse((240, 78, 252, 90), fill="white", outline="black", width=2)
    pen.polygon([(110, 95), (125, 60), (140, 95), (155, 60), (170, 95), (185, 60), (200, 95)], fill="#ffdd00")
    pen.polygon([(70, 140), (20, 110), (40, 160)], fill="#00703c", outline="black")
    pen.polygon([(268, 95), (310, 80), (300, 110)], fill="#d4351c")
    pen.line((110, 180, 100, 215), fill="black", width=5)
    pen.line((190, 180, 200, 215), fill="black", width=5)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _item_starting(db: Session, plan: Plan, words: str) -> Item:
    item = db.exec(
        select(Item)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.plan_id) == plan.id, col(ItemRevision.text).startswith(words))
    ).first()
    if item is None:
        raise LookupError(f"no demo item starting {words!r}")
    return item


def create_demo_voices(db: Session, people: dict[str, Person], data_dir: Path) -> None:
    """Sam's and Alex's views on Sam's plan, once (a second run finds them and changes nothing)."""
    sam, alex, tom, priya = (
        people[name] for name in ("Sam Taylor", "Alex Taylor", "Tom Baker", "Priya Shah")
    )
    plan = db.exec(select(Plan).join(Child).where(col(Child.person_id) == sam.id)).first()
    if plan is None or db.exec(select(ViewDetail).where(col(ViewDetail.plan_id) == plan.id)).first():
        return
    plan_id = id_of(plan)

    def as_person(person: Person) -> tuple[Actor, PlanAccess]:
        actor = Actor.command(person)
        return actor, plan_access(db, actor, plan_id)

    actor, access = as_person(sam)
    drawing = pictures.add_picture(db, actor, access, data_dir, dragon_drawing())
    views.add_view(
        db,
        actor,
        access,
        views.NewView(
            prompt=ViewPrompt.LIKE,
            text="I like drawing dragons. This is my dragon. He is called Spark.",
            picture_ids=[id_of(drawing)],
        ),
    )
    loud = views.add_view(
        db,
        actor,
        access,
        views.NewView(prompt=ViewPrompt.HARD, text="The dining hall is too loud. It hurts my ears."),
    )
    helps = views.add_view(
        db,
        actor,
        access,
        views.NewView(
            prompt=ViewPrompt.HELPS,
            text="Mr Baker helps me. He tells me what is going to happen next.",
            audience=ViewAudience.CHOSEN,
            reader_ids=[id_of(alex), id_of(tom)],
        ),
    )
    actor, access = as_person(tom)
    views.add_view(
        db,
        actor,
        access,
        views.NewView(
            prompt=ViewPrompt.FUTURE,
            text="I want to make video games when I am grown up.",
            voice_id=id_of(sam),
        ),
    )
    links.add_link(db, actor, access, _item_starting(db, plan, "By Easter, Sam will eat"), id_of(loud))
    links.add_link(db, actor, access, _item_starting(db, plan, "A visual timetable"), id_of(helps))
    actor, access = as_person(alex)
    views.add_view(
        db,
        actor,
        access,
        views.NewView(
            prompt=ViewPrompt.TEAM_KNOW,
            text="Mornings are the hardest part of Sam's day. If school texts me when something will "
            "change, I can tell him at breakfast and he comes in calmer.",
        ),
    )
    actor, access = as_person(priya)
    links.add_link(db, actor, access, _item_starting(db, plan, "A quiet place for lunch"), id_of(loud))
