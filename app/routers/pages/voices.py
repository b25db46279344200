"""The young person's own page and the parent's: one question a screen, a preview, then send.

Works without JavaScript: every screen is a form that carries the answers so far in hidden fields
(pictures are uploaded as they are chosen and carried by their id). Children and young people get
their own simple layout; parents the standard one with one more question. Also here: the pictures
of views, and the pages that say what a need, outcome or provision answers.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from app.dependencies import ActorDep, CurrentPlan, RowId, SessionDep, SettingsDep, requires
from app.forms.voices import AnswersForm, PictureForm, ReadersForm
from app.models import (
    FAMILY_MEMBER_ROLES,
    ITEM_KIND_LABELS,
    Child,
    MemberRole,
    ViewAudience,
    ViewPrompt,
)
from app.models.base import id_of
from app.permissions import Permission, PlanAccess, may_keep_view_draft, may_write_in
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services.plans import items, links, plans
from app.services.plans.access import refuse
from app.services.voices import drafts, names, pictures, views
from app.urls import Page, see_other

router = APIRouter()

CHILD_STEPS = (
    ViewPrompt.LIKE,
    ViewPrompt.GOOD_AT,
    ViewPrompt.HARD,
    ViewPrompt.HELPS,
    ViewPrompt.FUTURE,
)
PARENT_STEPS = (*CHILD_STEPS, ViewPrompt.TEAM_KNOW)
WHO = "who"
CHECK = "check"


@dataclass(frozen=True)
class Question:
    heading: str
    hint: str


YOUNG_QUESTIONS = {
    ViewPrompt.LIKE: Question("What do you like?", "Things you like to do at school or at home."),
    ViewPrompt.GOOD_AT: Question("What are you good at?", "It can be big or small."),
    ViewPrompt.HARD: Question("What is hard for you?", "Tell us what makes a day hard."),
    ViewPrompt.HELPS: Question("What helps you?", "Tell us who or what helps."),
    ViewPrompt.FUTURE: Question("What do you want when you are older?", "Say what you hope for."),
}
OLDER_QUESTIONS = {
    ViewPrompt.LIKE: Question("What do you enjoy?", "At college, at home or with friends."),
    ViewPrompt.GOOD_AT: Question("What are you good at?", "Skills, interests, things you are proud of."),
    ViewPrompt.HARD: Question("What do you find hard?", "What gets in the way for you."),
    ViewPrompt.HELPS: Question("What helps you?", "People, tools or ways of working."),
    ViewPrompt.FUTURE: Question(
        "What do you want for your future?", "Think about work, study, where you live and who with."
    ),
}


def _parent_questions(name: str) -> dict[ViewPrompt, Question]:
    return {
        ViewPrompt.LIKE: Question(f"What does {name} enjoy?", "At home, at school or with friends."),
        ViewPrompt.GOOD_AT: Question(f"What is {name} good at?", "Strengths the team may not see."),
        ViewPrompt.HARD: Question(f"What does {name} find hard?", "What gets in the way, and when."),
        ViewPrompt.HELPS: Question(f"What helps {name}?", "What works at home or has worked before."),
        ViewPrompt.FUTURE: Question(
            f"What do you hope for {name}'s future?", "Next year, and further ahead."
        ),
        ViewPrompt.TEAM_KNOW: Question(
            "What do you want the team to know?", "Anything else: worries, changes at home, questions."
        ),
    }


ANSWER_WORDS = {
    "young": {
        "provision": "Your team added",
        "outcome": "Your team set a goal",
        "need": "Your team wrote down",
    },
    "older": {
        "provision": "Your team added this support",
        "outcome": "Your team agreed this goal",
        "need": "Your team noted this need",
    },
    "parent": {
        "provision": "The team added this support",
        "outcome": "The team set this outcome",
        "need": "The team recorded this need",
    },
}


@dataclass(frozen=True)
class Voice:
    """Who is speaking, and so which wording and layout the page uses."""

    style: str
    """young (a child under 16), older (a young person of 16 or over) or parent."""
    steps: tuple[ViewPrompt, ...]
    questions: dict[ViewPrompt, Question]
    child_name: str


def _voice(db: SessionDep, access: PlanAccess) -> Voice:
    """The family member's wording; anyone else is refused (this page is the family's own)."""
    if access.member_role not in FAMILY_MEMBER_ROLES:
        refuse(access, "This page is for the child or young person and their family.", action="views.refused")
    child = db.get(Child, access.plan.child_id)
    name = child.known_as if child is not None else "your child"
    if access.member_role is MemberRole.CHILD:
        if access.person.makes_own_decisions:
            return Voice("older", CHILD_STEPS, OLDER_QUESTIONS, name)
        return Voice("young", CHILD_STEPS, YOUNG_QUESTIONS, name)
    return Voice("parent", PARENT_STEPS, _parent_questions(name), name)


def _layout(voice: Voice) -> str:
    return "pages/voices/parent.html" if voice.style == "parent" else "pages/voices/young.html"


def _people(db: SessionDep, access: PlanAccess, voice: Voice) -> list[tuple[str, str]]:
    """Who else is on the plan, to pick from, named as this voice knows them (`names`)."""
    named = names.others_on_the_plan(db, access, for_a_child=voice.style != "parent")
    return [(str(person_id), label) for person_id, label in named.items()]


@router.get("/plans/{plan_id}/my-views", dependencies=[requires(Permission.CONTRIBUTE)])
def my_views_page(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, sent: int = 0, saved: int = 0
) -> Response:
    voice = _voice(db, access)
    own = views.own_views(db, actor, access)
    context = {
        "draft": drafts.own_draft(db, access) if may_keep_view_draft(access) else None,
        "saved": saved == 1,
        "jump": _jump_list(voice),
        "people": dict(_people(db, access, voice)),
        "plan": access.plan,
        "voice": voice,
        "views": own,
        "sent": max(0, min(sent, 10)),
        "answer_words": ANSWER_WORDS[voice.style],
        "kind_labels": ITEM_KIND_LABELS,
        "mode": "home",
        "page_title": "Your views" if voice.style != "young" else "What you told your team",
        "may_add": views.may_add_views(access),
    }
    return render(request, _layout(voice), context)


def _step_context(
    access: PlanAccess,
    voice: Voice,
    values: dict[str, Any],
    step: str,
    errors: dict[str, str],
    people: list[tuple[str, str]],
) -> dict[str, Any]:
    steps = [prompt.value for prompt in voice.steps] + [WHO, CHECK]
    question = voice.questions.get(ViewPrompt(step)) if step in {p.value for p in voice.steps} else None
    return {
        "plan": access.plan,
        "voice": voice,
        "values": values,
        "step": step,
        "step_number": steps.index(step) + 1,
        "step_count": len(steps),
        "question": question,
        "errors": errors,
        "people": people,
        "prompts": [prompt.value for prompt in voice.steps],
        "questions": {prompt.value: q for prompt, q in voice.questions.items()},
        "mode": "step",
        "jump": _jump_list(voice),
        "page_title": (
            question.heading if question else ("Who can see this?" if step == WHO else "Check your answers")
        ),
    }


def _jump_list(voice: Voice) -> list[tuple[str, str]]:
    """A parent's list of the questions, to go straight to any one (each has its own address)."""
    if voice.style != "parent":
        return []
    return [(prompt.value, voice.questions[prompt].heading) for prompt in voice.steps]


@router.get("/plans/{plan_id}/my-views/new", dependencies=[requires(Permission.CONTRIBUTE)])
def new_views_page(request: Request, db: SessionDep, access: CurrentPlan, question: str = "") -> Response:
    """The first question, or with ?question= any one of them; a parent's saved draft carries on."""
    voice = _voice(db, access)
    views.check_may_add_views(access)
    values: dict[str, Any] = {"audience": ViewAudience.EVERYONE.value, "readers": []}
    draft = drafts.own_draft(db, access) if may_keep_view_draft(access) else None
    if draft is not None:
        values = dict(draft.answers)
    steps = [prompt.value for prompt in voice.steps]
    step = question if question in steps else steps[0]
    context = _step_context(access, voice, values, step, {}, _people(db, access, voice))
    return render(request, _layout(voice), context)


@dataclass(frozen=True)
class Posted:
    values: dict[str, Any]
    upload: bytes | None
    """The picture chosen on this screen, if any (read whole, up to one byte over the limit)."""


async def _posted(request: Request) -> Posted:
    """Read the screen's form on the event loop; the route that uses it runs in the thread pool."""
    form = await request.form()
    values: dict[str, Any] = {}
    for prompt in ViewPrompt:
        values[f"answer_{prompt.value}"] = str(form.get(f"answer_{prompt.value}", ""))[:10000]
        values[f"picture_{prompt.value}"] = str(form.get(f"picture_{prompt.value}", ""))[:12]
    values["audience"] = str(form.get("audience", ViewAudience.EVERYONE.value))
    values["readers"] = [str(value) for value in form.getlist("readers") if isinstance(value, str)][:50]
    values["step"] = str(form.get("step", ""))
    values["go"] = str(form.get("go", "next"))
    upload = form.get("picture")
    data = None
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(pictures.MAX_BYTES + 1)
    await form.close()  # every file part, chosen or left empty
    return Posted(values, data)


@router.post("/plans/{plan_id}/my-views/new", dependencies=[requires(Permission.CONTRIBUTE)])
def new_views_step(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    access: CurrentPlan,
    posted: Annotated[Posted, Depends(_posted)],
) -> Response:
    """A plain `def`: the picture's image work and the audited writes run in the thread pool."""
    voice = _voice(db, access)
    views.check_may_add_views(access)
    values, upload = posted.values, posted.upload
    steps = [prompt.value for prompt in voice.steps] + [WHO, CHECK]
    step = values["step"] if values["step"] in steps else steps[0]
    people = _people(db, access, voice)
    errors: dict[str, str] = {}
    if upload is not None and step in {p.value for p in voice.steps}:
        try:
            picture = pictures.add_picture(db, actor, access, settings.data_dir, upload)
        except pictures.PictureProblem as problem:
            errors = PictureForm.problem_errors(problem)
        else:
            values[f"picture_{step}"] = str(picture.id)
    if values["audience"] not in {audience.value for audience in ViewAudience}:
        values["audience"] = ViewAudience.EVERYONE.value
    known = {person_id for person_id, _name in people}
    values["readers"] = [reader for reader in values["readers"] if reader in known]
    go = values["go"]
    if errors:
        return render(request, _layout(voice), _step_context(access, voice, values, step, errors, people))
    if step == WHO and go == "next":
        _readers, errors = ReadersForm.read(values)
        if errors:
            return render(request, _layout(voice), _step_context(access, voice, values, step, errors, people))
    if go == "send" and step == CHECK:
        return _send(request, db, actor, access, voice, values, people)
    if go == "save" and may_keep_view_draft(access):
        drafts.save_draft(db, actor, access, values)
        return see_other(request, Page.MY_VIEWS, plan_id=id_of(access.plan), query={"saved": 1})
    if go == "skip" and step in {p.value for p in voice.steps}:
        values[f"answer_{step}"] = values[f"picture_{step}"] = ""  # skipped: this question stays empty
    if go.startswith("change:") and go[7:] in steps:
        target = go[7:]
    elif go == "done":
        target = WHO
    elif go == "back":
        target = steps[max(0, steps.index(step) - 1)]
    else:
        target = steps[min(len(steps) - 1, steps.index(step) + 1)]
    if target == CHECK:
        answers = {"answers": [values[f"answer_{prompt.value}"] for prompt in voice.steps]}
        _answers, errors = AnswersForm.read(answers, context={"first": voice.steps[0].value})
        target = voice.steps[0].value if errors else target
    return render(request, _layout(voice), _step_context(access, voice, values, target, errors, people))


def _send(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: PlanAccess,
    voice: Voice,
    values: dict[str, Any],
    people: list[tuple[str, str]],
) -> Response:
    audience = ViewAudience(values["audience"])
    readers = [int(reader) for reader in values["readers"]] if audience is ViewAudience.CHOSEN else []
    answers = []
    for prompt in voice.steps:
        text, picture = values[f"answer_{prompt.value}"].strip(), str(values[f"picture_{prompt.value}"])
        if text:
            pictures = [int(picture)] if picture.isdigit() else []
            answers.append(
                views.NewView(
                    prompt=prompt, text=text, audience=audience, reader_ids=readers, picture_ids=pictures
                )
            )
    try:
        sent = views.send_views(db, actor, access, answers)
    except views.AnswerProblem as problem:
        errors = AnswersForm.answer_errors(problem)
        return render(request, _layout(voice), _step_context(access, voice, values, CHECK, errors, people))
    drafts.end_draft(db, access)
    return see_other(request, Page.MY_VIEWS, plan_id=id_of(access.plan), query={"sent": len(sent)})


# Pictures ------------------------------------------------------------------------------------------

PICTURE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "inline",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@router.get("/plans/{plan_id}/pictures/{picture_id}", dependencies=[requires(Permission.READ_PLANS)])
def picture(
    db: SessionDep, actor: ActorDep, settings: SettingsDep, access: CurrentPlan, picture_id: RowId
) -> Response:
    found = pictures.plan_picture(db, access, picture_id)
    data = pictures.read_picture(db, actor, access, settings.data_dir, found)
    return Response(data, media_type=found.media_type, headers=PICTURE_HEADERS)


# What an item answers ------------------------------------------------------------------------------


def _links_page(
    request: Request,
    db: SessionDep,
    actor: ActorDep,
    access: PlanAccess,
    item_id: int,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    item = items.plan_item(db, access, item_id)
    choices = views.link_choices(db, actor, access, item)
    shown = {id_of(entry.item) for entry in choices.candidates} | {
        id_of(entry.item) for _link, entry in choices.current
    }
    context = {
        "plan": access.plan,
        "item": item,
        "choices": choices,
        "errors": errors,
        "may_link": may_write_in(access, item.section),
        "people": plans.people_by_id(
            db,
            {entry.item.voice_id for entry in choices.candidates}
            | {entry.item.voice_id for _link, entry in choices.current},
        ),
        "kind_labels": ITEM_KIND_LABELS,
        "shown": shown,
    }
    return render(request, "pages/voices/links.html", context, status_code=status_code)


@router.get("/plans/{plan_id}/items/{item_id}/links", dependencies=[requires(Permission.READ_PLANS)])
def links_page(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, item_id: RowId
) -> Response:
    return _links_page(request, db, actor, access, item_id, {})


@router.post(
    "/plans/{plan_id}/items/{item_id}/links",
    name="add_link_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def add_link(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, item_id: RowId, form: FormValues
) -> Response:
    item = items.plan_item(db, access, item_id)
    answers = form.get("answers_id", "")
    answers_id = int(answers) if answers.isdigit() and 1 <= int(answers) <= 2_147_483_647 else 0
    try:
        links.add_link(db, actor, access, item, answers_id)
    except items.ContentProblem as problem:
        return _links_page(request, db, actor, access, item_id, problem.errors)
    return see_other(request, Page.ITEM_LINKS, plan_id=id_of(access.plan), item_id=item_id)


@router.post(
    "/plans/{plan_id}/items/{item_id}/links/{link_id}/remove",
    name="remove_link_form",
    dependencies=[requires(Permission.CONTRIBUTE)],
)
def remove_link(
    request: Request, db: SessionDep, actor: ActorDep, access: CurrentPlan, item_id: RowId, link_id: RowId
) -> Response:
    links.remove_link(db, actor, access, links.plan_link(db, access, link_id, from_item=item_id))
    return see_other(request, Page.ITEM_LINKS, plan_id=id_of(access.plan), item_id=item_id)
