"""Administration: organisations and people. Administrators see no plan content."""

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from app.dependencies import ActorDep, RowId, SessionDep, SettingsDep, requires
from app.forms.experts import ServiceContactForm
from app.forms.people import DelivererRoleForm, InviteStaffForm, NewOrganisationForm
from app.forms.support import WordsForm
from app.models import (
    DELIVERER_ROLE_LABELS,
    ORGANISATION_KIND_LABELS,
    ROLE_LABELS,
    SETTING_PHASE_LABELS,
    SPECIALISM_LABELS,
    InviteStaff,
    OrganisationKind,
    SettingPhase,
)
from app.models.base import id_of
from app.permissions import Permission
from app.rendering import render
from app.routers.pages.inputs import FormValues
from app.services import deliverer_roles, organisations, people, sencos
from app.services.experts import contacts
from app.services.plans import words as plan_words_service
from app.urls import Page, see_other

router = APIRouter(prefix="/admin")


@router.get("/organisations", dependencies=[requires(Permission.MANAGE_ORGANISATIONS)])
def organisations_page(request: Request, db: SessionDep) -> Response:
    all_organisations = organisations.list_organisations(db)
    names = {organisation.id: organisation.name for organisation in all_organisations}
    context = {"organisations": all_organisations, "names": names, "phases": SETTING_PHASE_LABELS}
    return render(request, "pages/admin/organisations.html", context)


def _organisation_form(
    request: Request, db: SessionDep, errors: dict[str, str], values: dict[str, str]
) -> Response:
    context = {
        "errors": errors,
        "values": values,
        "kinds": [(kind.value, ORGANISATION_KIND_LABELS[kind]) for kind in OrganisationKind],
        "phases": [(phase.value, SETTING_PHASE_LABELS[phase]) for phase in SettingPhase],
        "local_authorities": [(str(la.id), la.name) for la in organisations.local_authorities(db)],
    }
    return render(request, "pages/admin/organisation_new.html", context)


@router.get("/organisations/new", dependencies=[requires(Permission.MANAGE_ORGANISATIONS)])
def new_organisation_page(request: Request, db: SessionDep) -> Response:
    return _organisation_form(request, db, {}, {})


@router.post("/organisations/new", dependencies=[requires(Permission.MANAGE_ORGANISATIONS)])
def create_organisation(request: Request, db: SessionDep, actor: ActorDep, form: FormValues) -> Response:
    typed, errors = NewOrganisationForm.read(form)
    if typed is not None:
        try:
            organisations.create_organisation(
                db, actor, typed.name, typed.kind, typed.local_authority_id, typed.phase
            )
        except organisations.OrganisationProblem as problem:
            errors = NewOrganisationForm.problem_errors(problem)
        else:
            return see_other(request, Page.ORGANISATIONS)
    return _organisation_form(request, db, errors, NewOrganisationForm.shown(form))


def _roles_page(request: Request, db: SessionDep, errors: dict[str, str], values: dict[str, str]) -> Response:
    councils = organisations.local_authorities(db)
    context = {
        "errors": errors,
        "values": values,
        "built_in": list(DELIVERER_ROLE_LABELS.values()),
        "councils": [(council, deliverer_roles.council_roles(db, id_of(council))) for council in councils],
        "local_authorities": [(str(council.id), council.name) for council in councils],
    }
    return render(request, "pages/admin/deliverer_roles.html", context)


@router.get("/deliverer-roles", dependencies=[requires(Permission.MANAGE_ORGANISATIONS)])
def deliverer_roles_page(request: Request, db: SessionDep) -> Response:
    """Who delivers provision: the built-in roles, and each council's own, which a council can add to."""
    return _roles_page(request, db, {}, {})


@router.post(
    "/deliverer-roles",
    name="add_deliverer_role_form",
    dependencies=[requires(Permission.MANAGE_ORGANISATIONS)],
)
def add_deliverer_role(request: Request, db: SessionDep, actor: ActorDep, form: FormValues) -> Response:
    typed, errors = DelivererRoleForm.read(form)
    if typed is not None:
        try:
            deliverer_roles.add_role(db, actor, typed.local_authority_id, typed.label)
        except deliverer_roles.RoleProblem as problem:
            errors = DelivererRoleForm.problem_errors(problem)
        else:
            return see_other(request, Page.DELIVERER_ROLES)
    return _roles_page(request, db, errors, DelivererRoleForm.shown(form))


@router.get(
    "/expert-services", name="expert_services_page", dependencies=[requires(Permission.MANAGE_ORGANISATIONS)]
)
def expert_services_page(request: Request, db: SessionDep) -> Response:
    """Each council's Experts at Hand services and where their requests are mailed."""
    context = {"councils": contacts.services_by_council(db), "specialisms": SPECIALISM_LABELS}
    return render(request, "pages/admin/expert_services.html", context)


def _contact_page(
    request: Request,
    db: SessionDep,
    service_id: int,
    errors: dict[str, str],
    values: dict[str, str] | None = None,
) -> Response:
    try:
        service, organisation = contacts.service_of(db, service_id)
    except LookupError:
        raise HTTPException(404, "Not Found") from None
    shown = values if values is not None else {"contact_email": service.contact_email or ""}
    context = {"service": service, "organisation": organisation, "errors": errors, "values": shown}
    return render(request, "pages/admin/expert_service_contact.html", context)


@router.get(
    "/expert-services/{service_id}",
    name="expert_service_contact_page",
    dependencies=[requires(Permission.MANAGE_ORGANISATIONS)],
)
def expert_service_contact_page(request: Request, db: SessionDep, service_id: RowId) -> Response:
    return _contact_page(request, db, service_id, {})


@router.post(
    "/expert-services/{service_id}",
    name="expert_service_contact_form",
    dependencies=[requires(Permission.MANAGE_ORGANISATIONS)],
)
def set_expert_service_contact(
    request: Request, db: SessionDep, actor: ActorDep, service_id: RowId, form: FormValues
) -> Response:
    typed, errors = ServiceContactForm.read(form)
    if typed is not None:
        try:
            contacts.set_contact(db, actor, service_id, typed.contact_email)
        except LookupError:
            raise HTTPException(404, "Not Found") from None
        except contacts.ContactProblem as problem:
            errors = ServiceContactForm.problem_errors(problem)
        else:
            return see_other(request, Page.EXPERT_SERVICES)
    return _contact_page(request, db, service_id, errors, ServiceContactForm.shown(form))


@router.get("/people", dependencies=[requires(Permission.MANAGE_PEOPLE)])
def people_page(request: Request, db: SessionDep) -> Response:
    context = {"people": people.list_people(db), "sencos": sencos.designated_people(db)}
    return render(request, "pages/admin/people.html", context)


def _invite_form(
    request: Request, db: SessionDep, errors: dict[str, str], values: dict[str, str]
) -> Response:
    context = {
        "errors": errors,
        "values": values,
        "roles": [(role.value, ROLE_LABELS[role]) for role in people.INVITABLE_ROLES],
        "organisations": [(str(o.id), o.name) for o in organisations.list_organisations(db)],
    }
    return render(request, "pages/admin/invite.html", context)


@router.get("/people/invite", dependencies=[requires(Permission.MANAGE_PEOPLE)])
def invite_page(request: Request, db: SessionDep) -> Response:
    return _invite_form(request, db, {}, {})


@router.post("/people/invite", dependencies=[requires(Permission.MANAGE_PEOPLE)])
def invite(
    request: Request, db: SessionDep, settings: SettingsDep, actor: ActorDep, form: FormValues
) -> Response:
    typed, errors = InviteStaffForm.read(form)
    if typed is not None:
        invitation = InviteStaff(
            display_name=typed.display_name,
            email=typed.email,
            role=typed.role,
            organisation_id=typed.organisation_id,
        )
        try:
            people.invite_staff(db, settings, actor, invitation)
        except people.PersonProblem as problem:
            errors = InviteStaffForm.problem_errors(problem)
        else:
            return see_other(request, Page.PEOPLE)
    return _invite_form(request, db, errors, InviteStaffForm.shown(form))


@router.post("/people/{person_id}/deactivate", dependencies=[requires(Permission.MANAGE_PEOPLE)])
def deactivate(request: Request, person_id: RowId, db: SessionDep, actor: ActorDep) -> Response:
    try:
        people.deactivate(db, actor, person_id)
    except people.PersonNotFound:
        raise HTTPException(404, "Not Found") from None
    except people.PersonProblem as problem:
        raise HTTPException(409, str(problem)) from None
    return see_other(request, Page.PEOPLE)


@router.post("/people/{person_id}/reactivate", dependencies=[requires(Permission.MANAGE_PEOPLE)])
def reactivate(request: Request, person_id: RowId, db: SessionDep, actor: ActorDep) -> Response:
    try:
        people.reactivate(db, actor, person_id)
    except people.PersonNotFound:
        raise HTTPException(404, "Not Found") from None
    return see_other(request, Page.PEOPLE)


@router.post("/people/{person_id}/reset-second-factor", dependencies=[requires(Permission.MANAGE_PEOPLE)])
def reset_second_factor(request: Request, person_id: RowId, db: SessionDep, actor: ActorDep) -> Response:
    try:
        people.reset_second_factor(db, actor, person_id)
    except people.PersonNotFound:
        raise HTTPException(404, "Not Found") from None
    except people.PersonProblem as problem:
        raise HTTPException(409, str(problem)) from None
    return see_other(request, Page.PEOPLE)


def _words_page(
    request: Request, db: SessionDep, local_authority_id: int, errors: dict[str, str], values: dict[str, str]
) -> Response:
    council = plan_words_service.local_authority(db, local_authority_id)
    if council is None:
        raise HTTPException(404, "Not Found")
    context = {
        "council": council,
        "errors": errors,
        "values": values,
        "defaults": plan_words_service.DEFAULT_WORDS,
    }
    return render(request, "pages/admin/plan_words.html", context)


@router.get(
    "/local-authorities/{local_authority_id}/words",
    name="plan_words_page",
    dependencies=[requires(Permission.MANAGE_PLAN_WORDS)],
)
def plan_words_page(request: Request, db: SessionDep, local_authority_id: RowId) -> Response:
    """A council's names for the ISP and its layers (the statutory wording is not settled)."""
    words = plan_words_service.plan_words(db, local_authority_id)
    return _words_page(request, db, local_authority_id, {}, dict(words.__dict__))


@router.post(
    "/local-authorities/{local_authority_id}/words",
    name="plan_words_form",
    dependencies=[requires(Permission.MANAGE_PLAN_WORDS)],
)
def change_plan_words(
    request: Request, db: SessionDep, actor: ActorDep, local_authority_id: RowId, form: FormValues
) -> Response:
    typed, errors = WordsForm.read(form)
    if typed is not None and plan_words_service.local_authority(db, local_authority_id) is not None:
        try:
            new = plan_words_service.NewWords(**typed.model_dump())
            plan_words_service.change_words(db, actor, local_authority_id, new)
        except plan_words_service.WordsProblem as problem:
            errors = WordsForm.problem_errors(problem)
        else:
            return see_other(request, Page.ORGANISATIONS)
    return _words_page(request, db, local_authority_id, errors, WordsForm.shown(form))
