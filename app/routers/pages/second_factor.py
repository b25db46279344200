"""The second factor for staff with local accounts: enter a code, set up the app, use a recovery code,
and, once signed in, see the set-up and make new recovery codes.

The /sign-in/... pages answer only a sign-in waiting on its second factor; anyone else is sent to
sign in. Pages that show a key or recovery codes are never cached.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from app.auth import set_session_cookie
from app.config import Settings
from app.dependencies import ActorDep, CurrentPerson, IdentityDep, SessionDep, SettingsDep, requires
from app.errors import Refused, SignInRequired
from app.forms.sign_in import AppCodeForm, RecoveryCodeForm
from app.models import Person, SignInMethod, UserSession
from app.permissions import Permission
from app.rendering import render
from app.routers.pages.inputs import FormValues, safe_next
from app.services.auth import second_factor
from app.services.auth.second_factor import SecondFactorProblem
from app.services.auth.sign_in import needs_second_factor
from app.urls import Page, see_other

router = APIRouter()

ENTER_CODE = "/sign-in/second-factor"
SET_UP = "/sign-in/second-factor/set-up"
RECOVERY_CODE = "/sign-in/recovery-code"
ACCOUNT_PAGE = "/account/second-factor"
PENDING = [requires(Permission.SECOND_FACTOR_PENDING)]
OWN_ACCOUNT = [requires(Permission.MANAGE_OWN_ACCOUNT)]


@dataclass(frozen=True)
class PendingSignIn:
    session: UserSession
    person: Person


def get_pending(identity: IdentityDep) -> PendingSignIn:
    if identity.session is None or identity.pending is None:
        raise SignInRequired()
    return PendingSignIn(identity.session, identity.pending)


PendingDep = Annotated[PendingSignIn, Depends(get_pending)]


def _to(request: Request, page: Page, next: str) -> RedirectResponse:
    return see_other(request, page, query={"next": safe_next(next)})


def _signed_in(token: str, next: str, settings: Settings) -> RedirectResponse:
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, token, settings)
    return response


def _prove(
    request: Request,
    settings: Settings,
    pending: PendingSignIn,
    form: dict[str, str],
    *,
    complete: Callable[[str], str],
    code_form: type[AppCodeForm | RecoveryCodeForm],
    template: str,
) -> Response:
    """Finish signing in with an app code or a recovery code (`complete` returns the new session)."""
    next = _next(form)
    if not second_factor.is_set_up(pending.person):
        return _to(request, Page.SECOND_FACTOR_SET_UP, next)
    typed, errors = code_form.read(form)
    if typed is not None:
        try:
            return _signed_in(complete(typed.code), next, settings)
        except SecondFactorProblem as problem:
            errors = code_form.problem_errors(problem)
    return render(request, template, {"errors": errors, "next": safe_next(next)})


def _next(form: dict[str, str]) -> str:
    return form.get("next", "/")[:2000]


def _never_cached(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# Enter a code from the authenticator app ---------------------------------------------------------


@router.get(ENTER_CODE, dependencies=PENDING)
def enter_code_page(request: Request, pending: PendingDep, next: str = "/") -> Response:
    if not second_factor.is_set_up(pending.person):
        return _to(request, Page.SECOND_FACTOR_SET_UP, next)
    return render(request, "pages/second_factor/enter_code.html", {"errors": {}, "next": safe_next(next)})


@router.post(ENTER_CODE, dependencies=PENDING)
def enter_code(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    pending: PendingDep,
    form: FormValues,
) -> Response:
    return _prove(
        request,
        settings,
        pending,
        form,
        complete=lambda code: second_factor.complete_with_code(
            db, settings, actor, pending.session, pending.person, code
        ),
        code_form=AppCodeForm,
        template="pages/second_factor/enter_code.html",
    )


# Set up the authenticator app --------------------------------------------------------------------


def _set_up_page(
    request: Request, settings: Settings, pending: PendingSignIn, errors: dict[str, str], next: str
) -> Response:
    key = second_factor.set_up_key(settings, pending.session)
    uri = second_factor.provisioning_uri(pending.person, key)
    svg = second_factor.qr_code_svg(uri, "QR code to add OnePlan to your authenticator app")
    context = {
        "errors": errors,
        "next": safe_next(next),
        "key": second_factor.key_in_groups(key),
        "qr_code": Markup(svg),  # nosec B704 # segno draws the key as shapes, not text; the title is fixed
    }
    return _never_cached(render(request, "pages/second_factor/set_up.html", context))


@router.get(SET_UP, dependencies=PENDING)
def set_up_page(request: Request, settings: SettingsDep, pending: PendingDep, next: str = "/") -> Response:
    if second_factor.is_set_up(pending.person):
        return _to(request, Page.SECOND_FACTOR, next)
    return _set_up_page(request, settings, pending, {}, next)


@router.post(SET_UP, dependencies=PENDING)
def set_up(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    pending: PendingDep,
    form: FormValues,
) -> Response:
    next = _next(form)
    if second_factor.is_set_up(pending.person):
        return _to(request, Page.SECOND_FACTOR, next)
    typed, errors = AppCodeForm.read(form)
    if typed is None:
        return _set_up_page(request, settings, pending, errors, next)
    try:
        done = second_factor.set_up(db, settings, actor, pending.session, pending.person, typed.code)
    except SecondFactorProblem as problem:
        return _set_up_page(request, settings, pending, AppCodeForm.problem_errors(problem), next)
    response = render(
        request,
        "pages/second_factor/recovery_codes.html",
        {"codes": done.recovery_codes, "continue_to": safe_next(next), "renewed": False},
    )
    set_session_cookie(response, done.session_token, settings)
    return _never_cached(response)


# Use a recovery code instead ---------------------------------------------------------------------


@router.get(RECOVERY_CODE, dependencies=PENDING)
def recovery_code_page(request: Request, pending: PendingDep, next: str = "/") -> Response:
    if not second_factor.is_set_up(pending.person):
        return _to(request, Page.SECOND_FACTOR_SET_UP, next)
    return render(request, "pages/second_factor/recovery_code.html", {"errors": {}, "next": safe_next(next)})


@router.post(RECOVERY_CODE, dependencies=PENDING)
def use_recovery_code(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    pending: PendingDep,
    form: FormValues,
) -> Response:
    return _prove(
        request,
        settings,
        pending,
        form,
        complete=lambda code: second_factor.complete_with_recovery_code(
            db, settings, actor, pending.session, pending.person, code
        ),
        code_form=RecoveryCodeForm,
        template="pages/second_factor/recovery_code.html",
    )


# Your account: the second factor -----------------------------------------------------------------


def _staff_only(person: Person) -> None:
    """Families and children have no second factor: for them the page does not exist."""
    if not needs_second_factor(person):
        raise Refused(404, "Not Found", action="second_factor.refused", person=person)


@router.get(ACCOUNT_PAGE, name="second_factor_account_page", dependencies=OWN_ACCOUNT)
def account_page(request: Request, db: SessionDep, identity: IdentityDep, person: CurrentPerson) -> Response:
    _staff_only(person)
    context = {
        "person": person,
        "is_set_up": second_factor.is_set_up(person),
        "codes_left": second_factor.recovery_codes_left(db, person),
        "code_count": second_factor.RECOVERY_CODE_COUNT,
        "by_single_sign_on": identity.session is not None
        and identity.session.method == SignInMethod.SINGLE_SIGN_ON,
    }
    return render(request, "pages/second_factor/account.html", context)


@router.post(f"{ACCOUNT_PAGE}/recovery-codes", dependencies=OWN_ACCOUNT)
def renew_recovery_codes(
    request: Request, db: SessionDep, actor: ActorDep, person: CurrentPerson
) -> Response:
    _staff_only(person)
    if not second_factor.is_set_up(person):
        return RedirectResponse(ACCOUNT_PAGE, status_code=303)
    codes = second_factor.renew_recovery_codes(db, actor, person)
    context = {"codes": codes, "continue_to": ACCOUNT_PAGE, "renewed": True}
    return _never_cached(render(request, "pages/second_factor/recovery_codes.html", context))
