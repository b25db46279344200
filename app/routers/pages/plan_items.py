"""Items of a plan: adding one, editing (a new revision, never an overwrite), its history, comments.

Each form works as its own page without JavaScript and in place on the plan page with htmx: an htmx
request gets the fragment (the form, or the item as saved), any other request the page or a redirect.
Validation problems come back as the form with each message beside its field (status 200, so that
htmx swaps it in); a save that came second is a 409 page, or for htmx the merge form in place.
"""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.errors import Refused
from app.forms.items import ItemForm, RevisionsForm, TypedItem, answers_values, chosen_answers
from app.models import (
    FAMILY_MEMBER_ROLES,
    ITEM_KIND_LABELS,
    LINKABLE,
    SECTION_KIND,
    Item,
    ItemKind,
    ItemRevision,
    Section,
)
from app.models.base import id_of
from app.permissions import Permission, PlanAccess, may_comment, may_revise
from app.rendering import render
from app.routers.pages import item_choices
from app.routers.pages.inputs import FormValues, is_htmx, section_in_path
from app.services.delivery.changes import change_provision
from app.services.plans import changes, content, items, links, plans
from app.services.plans.access import refuse
from app.services.plans.content import PlanItem
from app.services.quality.report import outline_quality
from app.services.voices import views
from app.urls import Page, see_other

router = APIRouter()


def _section_of(access: PlanAccess, section: str) -> Section:
    return section_in_path(access, section)


def _must_write_in(access: PlanAccess, section: Section) -> None:
    title = plans.SECTION_TITLES[access.plan.kind][section]
    items.check_may_add(access, section, named=f"“{title}”. You can comment on it")


def _add_label(access: PlanAccess, kind: ItemKind) -> str:
    if kind is ItemKind.VIEW:
        return "Add your view" if access.member_role in FAMILY_MEMBER_ROLES else "Add a view"
    labels = {
        ItemKind.NEED: "Add a need",
        ItemKind.OUTCOME: "Add an outcome",
        ItemKind.PROVISION: "Add provision",
        ItemKind.ADVICE: "Add advice",
        ItemKind.ARRANGEMENT: "Add a decision",
    }
    return labels[kind]


def _section_context(access: PlanAccess, section: Section) -> dict[str, Any]:
    kind = SECTION_KIND[section]
    return {
        "plan": access.plan,
        "section_id": section.value,
        "section_title": plans.SECTION_TITLES[access.plan.kind][section],
        "kind": kind,
        "add_label": _add_label(access, kind),
        "is_family": access.member_role in FAMILY_MEMBER_ROLES,
    }


def _add_form(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: PlanAccess,
    section: Section,
    values: dict[str, str],
    errors: dict[str, str],
    answering: int | None = None,
    options: list[tuple[Section, list[PlanItem]]] | None = None,
) -> Response:
    """`answering`: the item just added that this one carries the thread on from (in place after it);
    `options`: what it may answer, when already read for this person (and audited)."""
    fragment = is_htmx(request)
    kind = SECTION_KIND[section]
    options = links.link_options(db, access, kind, shown_to=actor) if options is None else options
    context = {
        **_section_context(access, section),
        "values": values,
        "errors": errors,
        "choices": item_choices.form_choices(db, access, kind, voices=True, options=options),
        "fragment": fragment,
        "answering": answering,
    }
    template = "partials/plans/_add_form.html" if fragment else "pages/plans/item_new.html"
    return render(request, template, context)


@router.get("/plans/{plan_id}/sections/{section}/new", dependencies=[requires(Permission.CONTRIBUTE)])
def new_item_page(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: CurrentPlan,
    section: str,
    answering: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    """The add form; `answering`, an item it will answer (ticked), when it carries the thread on."""
    found = _section_of(access, section)
    _must_write_in(access, found)
    options = links.link_options(db, access, SECTION_KIND[found], shown_to=actor)
    after = int(answering) if answering.isdigit() and int(answering) in links.offered_ids(options) else None
    values = answers_values({after}) if after else {}
    return _add_form(request, db, actor, access, found, values, {}, after, options)


@router.post(
    "/plans/{plan_id}/sections/{section}/items",
    name="add_item_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def add_item(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, section: str, form: FormValues
) -> Response:
    found = _section_of(access, section)
    _must_write_in(access, found)
    kind = SECTION_KIND[found]
    needs_voice = kind is ItemKind.VIEW and item_choices.voices_of(db, access) is not None
    typed = ItemForm.read_item(form, kind, needs_voice=needs_voice)
    chosen, options = chosen_answers(form), links.link_options(db, access, kind)
    errors = typed.errors | item_choices.answers_problem(options, chosen)
    answering = form.get("answering", "")
    after = int(answering) if answering.isdigit() and int(answering) in links.offered_ids(options) else None
    if errors:
        return _add_form(
            request, db, actor, access, found, typed.values, ItemForm.in_page_order(errors), after
        )
    new = items.NewItem.model_construct(**typed.content.model_dump(), section=found, voice_id=typed.voice_id)
    try:
        item = items.add_item(db, actor, access, new)
    except items.ContentProblem as problem:
        return _add_form(
            request, db, actor, access, found, typed.values, ItemForm.problem_errors(problem), after
        )
    if chosen:
        links.set_links(db, actor, access, item, chosen, options)
    if not is_htmx(request):
        return see_other(
            request,
            Page.SECTION,
            plan_id=id_of(access.plan),
            section=found.value,
            fragment=f"item-{id_of(item)}",
        )
    revision = items.current_revision(db, item)
    context = {
        **_section_context(access, found),
        **_item_context(
            db, access, PlanItem(item, revision), plans.people_by_id(db, {item.author_id, item.voice_id})
        ),
        "focus": True,
        "next_step": item_choices.next_step(access, item),
        "answering": after,
        "answered": _entry(db, access, after) if after else None,
    }
    template = "partials/plans/_added_next.html" if after else "partials/plans/_added.html"
    return render(request, template, context)


def _entry(db: SessionDep, access: PlanAccess, item_id: int) -> PlanItem | None:
    """An item of the plan with its current words, if this person may read it."""
    try:
        item = items.plan_item(db, access, item_id)
    except Refused:
        return None
    return PlanItem(item, items.current_revision(db, item))


def _item_context(
    db: SessionDep, access: PlanAccess, entry: PlanItem, people: dict[int, Any]
) -> dict[str, Any]:
    """What the item partial needs to show one item as the section page does: what it answers and its
    checks against the whole plan (the thread), so that an item saved in place shows them at once."""
    plan_id = id_of(access.plan)
    ends = links.link_ends(db, plan_id)
    kinds = {head.id: head.kind for head in content.item_heads(db, access)}
    evidence, others = views.section_evidence(db, access, [entry], ends)
    return {
        "plan": access.plan,
        "entry": entry,
        "people": people | plans.people_by_id(db, {other.item.voice_id for other in others}),
        "evidence": evidence,
        "quality": outline_quality(db, plan_id, kinds, ends),
        "organisations": plans.organisations_by_id(db, {entry.revision.delivered_by_organisation_id}),
        "can_revise": may_revise(access, entry.item),
        "can_comment": may_comment(access),
    }


def _item_fragment(
    request: Request, db: SessionDep, actor: ActorDep, access: PlanAccess, item: Item, **extra: Any
) -> Response:
    """The item as the plan page shows it, read afresh (with everyone's comments: an audited read)."""
    history = items.item_history(db, actor, access, item)
    entry = PlanItem(item, history.revisions[-1], history.comments)
    context = {**_item_context(db, access, entry, history.people), **extra}
    return render(request, "partials/plans/_item.html", context)


def _edit_form(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: PlanAccess,
    item: Item,
    values: dict[str, str],
    errors: dict[str, str],
    conflict: dict[str, Any] | None = None,
) -> Response:
    fragment = is_htmx(request)
    text_label = f"Your words, to save as revision {int(values['based_on']) + 1}" if conflict else None
    context = {
        "plan": access.plan,
        "item": item,
        "kind": item.kind,
        "section_title": plans.SECTION_TITLES[access.plan.kind][item.section],
        "values": values,
        "errors": errors,
        "choices": item_choices.form_choices(
            db,
            access,
            item.kind,
            voices=False,
            text_label=text_label,
            options=links.link_options(db, access, item.kind, leaving_out=id_of(item), shown_to=actor),
            keeping_role=items.current_revision(db, item).deliverer_role,
        ),
        "fragment": fragment,
        "conflict": conflict,
        "asks_reason": items.is_agreed(db, item),
    }
    template = "partials/plans/_edit_form.html" if fragment else "pages/plans/item_edit.html"
    # Without JavaScript a stale save is a 409 page; htmx swaps only 2xx answers in, so it gets 200.
    status = 409 if conflict and not fragment else 200
    return render(request, template, context, status_code=status)


@router.get("/plans/{plan_id}/items/{item_id}/edit", dependencies=[requires(Permission.CONTRIBUTE)])
def edit_item_page(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, item_id: RowId
) -> Response:
    item = items.plan_item(db, access, item_id)
    items.check_revisable(access, item)
    values = ItemForm.values_of(items.current_revision(db, item)) | {"based_on": str(item.revision_number)}
    values |= answers_values({link.answers_id for link in links.links_of(db, item)})
    return _edit_form(request, db, actor, access, item, values, {})


@router.post(
    "/plans/{plan_id}/items/{item_id}",
    name="revise_item_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def revise_item(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    access: CurrentPlan,
    item_id: RowId,
    form: FormValues,
) -> Response:
    item = items.plan_item(db, access, item_id)
    items.check_revisable(access, item)
    based_on = form.get("based_on", "")
    if not based_on.isdigit():
        raise HTTPException(400, "The form did not say which revision it changes.")
    typed = ItemForm.read_item(form, item.kind, needs_voice=False)
    chosen, options = chosen_answers(form), links.link_options(db, access, item.kind, leaving_out=item_id)
    errors = typed.errors | item_choices.answers_problem(options, chosen)
    try:
        items.checked_reason(items.is_agreed(db, item), typed.values["reason"])
    except items.ContentProblem as problem:
        errors = ItemForm.in_page_order(errors | ItemForm.problem_errors(problem))
    if errors:
        return _edit_form(request, db, actor, access, item, typed.values, errors)
    try:
        change_provision(
            db,
            settings,
            actor,
            access,
            item,
            typed.content,
            based_on=int(based_on),
            reason=typed.values["reason"],
        )
    except items.StaleRevision as stale:
        return _conflict(request, db, actor, access, stale, typed)
    except items.ContentProblem as problem:
        return _edit_form(request, db, actor, access, item, typed.values, ItemForm.problem_errors(problem))
    if chosen is not None and item.kind in LINKABLE:
        links.set_links(db, actor, access, item, chosen, options)
    if not is_htmx(request):
        return see_other(
            request,
            Page.SECTION,
            plan_id=id_of(access.plan),
            section=item.section.value,
            fragment=f"item-{item_id}",
        )
    return _item_fragment(request, db, actor, access, item, focus=True)


def _conflict(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: PlanAccess,
    stale: items.StaleRevision,
    typed: TypedItem,
) -> Response:
    """Both texts side by side; the form keeps this person's words and now builds on the saved revision."""
    theirs: ItemRevision = stale.current
    author = plans.people_by_id(db, {theirs.author_id}).get(theirs.author_id)
    conflict = {
        "theirs": theirs,
        "author": author,
        "yours": typed.content,
        "words": changes.word_diff(theirs.text, typed.content.text),
        "particulars": _named(db, changes.particulars_diff(theirs, typed.content)),
    }
    values = typed.values | {"based_on": str(theirs.number)}
    return _edit_form(request, db, actor, access, stale.item, values, {}, conflict)


def _named(db: SessionDep, rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Differences of particulars, with the organisation delivering provision by its name, not its id."""
    label = changes.PARTICULAR_LABELS["delivered_by_organisation_id"]
    ids = {int(value) for name, *values in rows if name == label for value in values if value.isdigit()}
    names = {
        str(key): organisation.name for key, organisation in plans.organisations_by_id(db, set(ids)).items()
    }
    return [
        (name, names.get(before, before), names.get(after, after)) if name == label else (name, before, after)
        for name, before, after in rows
    ]


@router.post(
    "/plans/{plan_id}/items/{item_id}/comments",
    name="add_comment_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def add_comment(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: CurrentPlan,
    item_id: RowId,
    form: FormValues,
) -> Response:
    item = items.plan_item(db, access, item_id)
    text = form.get("comment", "")
    from_history = form.get("back") == "item"
    try:
        comment = items.add_comment(db, actor, access, item, text)
    except items.ContentProblem as problem:
        message = problem.errors.get("comment", str(problem))
        if is_htmx(request) and not from_history:
            return _item_fragment(request, db, actor, access, item, comment_error=message, comment_value=text)
        return _history_page(request, db, actor, access, item, "", "", {"comment": message}, text)
    if is_htmx(request) and not from_history:
        return _item_fragment(request, db, actor, access, item, focus_comment=comment.id)
    fragment = f"comment-{comment.id}"
    if from_history:
        return see_other(request, Page.ITEM, plan_id=id_of(access.plan), item_id=item_id, fragment=fragment)
    return see_other(
        request, Page.SECTION, plan_id=id_of(access.plan), section=item.section.value, fragment=fragment
    )


@router.get("/plans/{plan_id}/items/{item_id}/comments/new", dependencies=[requires(Permission.CONTRIBUTE)])
def new_comment_form(request: Request, db: SessionDep, access: CurrentPlan, item_id: RowId) -> Response:
    """The comment form, only when asked for: in place for htmx, else the item's page, which has it."""
    item = items.plan_item(db, access, item_id)
    if not may_comment(access):
        refuse(
            access,
            "Only members of this plan can comment.",
            action="comment.refused",
            object_type="item",
            object_id=item_id,
        )
    if not is_htmx(request):
        return see_other(request, Page.ITEM, plan_id=id_of(access.plan), item_id=item_id, fragment="comment")
    context = {"plan": access.plan, "item": item, "what": ITEM_KIND_LABELS[item.kind].lower()}
    return render(request, "partials/plans/_comment_form.html", context)


@router.get("/plans/{plan_id}/items/{item_id}", dependencies=[requires(Permission.READ_PLANS)])
def item_page(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: CurrentPlan,
    item_id: RowId,
    compare_from: Annotated[str, Query(alias="from", max_length=12)] = "",
    compare_to: Annotated[str, Query(alias="to", max_length=12)] = "",
) -> Response:
    item = items.plan_item(db, access, item_id)
    return _history_page(request, db, actor, access, item, compare_from, compare_to, {}, "")


def _history_page(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: PlanAccess,
    item: Item,
    compare_from: str,
    compare_to: str,
    errors: dict[str, str],
    comment_value: str,
) -> Response:
    """Every revision oldest first, the difference between two of them (the last two unless chosen)."""
    history = items.item_history(db, actor, access, item)
    revisions = history.revisions
    numbers = {str(revision.number): revision for revision in revisions}
    chosen_from = compare_from.strip() or (str(len(revisions) - 1) if len(revisions) > 1 else "")
    chosen_to = compare_to.strip() or str(len(revisions))
    chosen = {"compare-from": chosen_from, "compare-to": chosen_to}
    errors = errors | RevisionsForm.read(chosen, context={"count": len(revisions)})[1]
    older, newer = numbers.get(chosen_from), numbers.get(chosen_to)
    current = revisions[-1]
    rows = _named(db, changes.particulars_diff(older, newer)) if older and newer else []
    context = {
        "plan": access.plan,
        "item": item,
        "entry": PlanItem(item, current, history.comments),
        "section_title": plans.SECTION_TITLES[access.plan.kind][item.section],
        "kind_label": ITEM_KIND_LABELS[item.kind],
        "revisions": revisions,
        "people": history.people,
        "organisations": plans.organisations_by_id(db, {current.delivered_by_organisation_id}),
        "older": older,
        "newer": newer,
        "words": changes.word_diff(older.text, newer.text) if older and newer else [],
        "particulars": rows,
        "chosen_from": chosen_from,
        "chosen_to": chosen_to,
        "errors": errors,
        "comment_value": comment_value,
        "can_revise": may_revise(access, item),
        "can_comment": may_comment(access),
    }
    return render(request, "pages/plans/item.html", context)
