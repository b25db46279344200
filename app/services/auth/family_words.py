"""What a child calls each parent or carer ("mum"), as the parent says on their children's page.

The child's own pages name people as the child knows them ("Alex, your mum"); without a word the
parent has chosen they say "your mum, dad or carer". Saying it is audited; reading it is part of the
page that shows it.
"""

from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import FamilyLink, FamilyWord, Person
from app.services import audit


def set_family_word(db: Session, actor: Actor, child: Person, word: FamilyWord) -> FamilyLink:
    """The signed-in parent says what this child (theirs: see child_cards.child_to_set_up) calls them."""
    parent = actor.signed_in()
    link = db.exec(
        select(FamilyLink).where(col(FamilyLink.parent_id) == parent.id, col(FamilyLink.child_id) == child.id)
    ).one()
    link.child_calls = word
    db.add(link)
    db.flush()
    audit.record(
        db,
        actor,
        "family_link.named",
        object_type="person",
        object_id=child.id,
        details={"child_calls": word.value},
    )
    return link


def words_of_parent(db: Session, parent: Person) -> dict[int, FamilyWord]:
    """Child's person id -> what that child calls this parent (where the parent has said)."""
    return {
        link.child_id: link.child_calls
        for link in db.exec(select(FamilyLink).where(col(FamilyLink.parent_id) == parent.id))
        if link.child_calls is not None
    }


def words_of_child(db: Session, child_person_id: int | None) -> dict[int, FamilyWord]:
    """Parent's person id -> what this child calls them (where the parent has said)."""
    if child_person_id is None:
        return {}
    return {
        link.parent_id: link.child_calls
        for link in db.exec(select(FamilyLink).where(col(FamilyLink.child_id) == child_person_id))
        if link.child_calls is not None
    }
