"""People on a plan named as the reader knows them, and who may read a view shared with a few only.

A child reads "Alex, your mum" or "Tom Baker, from your school"; a parent reads "Priya Shah
(education)". The same words serve the child's own pages and "My plan", on screen and on paper.
"""

from collections.abc import Iterable

from sqlmodel import Session

from app.models import FAMILY_MEMBER_ROLES, MEMBER_ROLE_LABELS, Child, MemberRole
from app.permissions import PlanAccess
from app.services.auth import family_words as family
from app.services.plans.members import members
from app.services.voices.views import readers_of

CHILD_WORDS = {
    MemberRole.LOCAL_AUTHORITY: "from the council",
    MemberRole.EDUCATION: "from your school",
    MemberRole.HEALTH: "your doctor or nurse",
    MemberRole.SOCIAL_CARE: "your social worker",
    MemberRole.PARENT_CARER: "your mum, dad or carer",
    MemberRole.CHILD: "",
    MemberRole.READER: "who reads your plan",
}
"""Who each person on the plan is, in words a child knows ("Tom Baker, from your school")."""


def others_on_the_plan(db: Session, access: PlanAccess, *, for_a_child: bool) -> dict[int, str]:
    """Everyone on the plan but the reader, named as the reader knows them, in the plan's order."""
    child = db.get(Child, access.plan.child_id)
    words_of_child = family.words_of_child(db, child.person_id if child else None) if for_a_child else {}
    named = {}
    for membership in members(db, access):
        person, role = membership.person, membership.member.role
        if person.id == access.person.id or person.id is None:
            continue
        if not for_a_child:
            named[person.id] = f"{person.display_name} ({MEMBER_ROLE_LABELS[role].lower()})"
            continue
        name = person.display_name.split()[0] if role in FAMILY_MEMBER_ROLES else person.display_name
        known_as = f"your {words_of_child[person.id]}" if person.id in words_of_child else CHILD_WORDS[role]
        named[person.id] = f"{name}, {known_as}" if known_as else name
    return named


def only_seen_by(
    db: Session, access: PlanAccess, chosen: Iterable[int], voices: dict[int, int], *, for_a_child: bool
) -> dict[int, str]:
    """For each view shared with a few people only, who can read it, in one sentence: "Only you and
    Alex, your mum, can see this." `voices` gives each view's voice, who can always read it."""
    chosen = set(chosen)
    if not chosen:
        return {}
    readers = readers_of(db, chosen)
    named = others_on_the_plan(db, access, for_a_child=for_a_child)
    sentences = {}
    for item_id in chosen:
        who = (
            {voices[item_id], *readers.get(item_id, set())}
            if item_id in voices
            else readers.get(item_id, set())
        )
        names = ["you"] if access.person.id in who else []
        names += [named[person_id] for person_id in named if person_id in who]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        sentences[item_id] = (
            f"Only {listed} can see this." if names else "Only the person who wrote it can see this."
        )
    return sentences
