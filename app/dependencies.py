"""Request-scoped dependencies shared by both doors: the session, who is asking, and `requires`."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from app.actor import Actor
from app.auth import Identity, identify
from app.config import Settings
from app.db import forget_writes, is_reading, reading_session, write_what_waited
from app.errors import Refused, SignInRequired, wants_json
from app.models import Channel, Outcome, Person
from app.permissions import PERMISSION_ATTRIBUTE, Permission, PlanAccess, role_may
from app.rendering import is_child
from app.services import audit
from app.services.auth.csrf import csrf_valid
from app.services.plans.access import absent_unless_seen, plan_access
from app.services.plans.words import words_for_plan

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def request_transaction(request: Request, session: Session) -> Iterator[Session]:
    """Commit once when the request succeeds; on a refusal, keep only the audit event of the refusal.

    A reading request ends its read and then writes what waited (its audit events), before the
    response is sent: content never leaves without its read being recorded.
    """
    try:
        yield session
        if is_reading(session):
            write_what_waited(session)
        else:
            session.commit()
    except Refused as refusal:
        forget_writes(session)
        session.rollback()
        audit.record(
            session,
            actor_for(request, refusal.person),
            refusal.action,
            object_type=refusal.object_type,
            object_id=refusal.object_id,
            outcome=Outcome.REFUSED,
            reason=refusal.reason,
            details={"path": request.url.path, "method": request.method},
        )
        if is_reading(session):
            write_what_waited(session)
        else:
            session.commit()
        raise
    except BaseException:
        forget_writes(session)
        session.rollback()
        raise


WRITES_ON_GET = "oneplan_writes_on_get"


def writes_on_get(endpoint: Endpoint) -> Endpoint:
    """Mark a GET route that must write (a sign-in returning from the identity provider)."""
    setattr(endpoint, WRITES_ON_GET, True)
    return endpoint


def only_reads(request: Request) -> bool:
    """GET and HEAD read, unless their route says it writes."""
    writes = getattr(request.scope.get("endpoint"), WRITES_ON_GET, False)
    return request.method in SAFE_METHODS and not writes


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's one session; it commits before the response is sent (scope="function").

    A request that only reads does so without a lock (see `app.db`); others write in one transaction.
    Made on the event loop, which costs nothing (a session connects at its first statement, in the
    thread pool), and ended in the thread pool, where its commit may wait: a plain `def` generator
    would cost every request a hop to the thread pool and back just to make it.
    """
    engine = request.app.state.engine
    session = reading_session(engine) if only_reads(request) else Session(engine)
    transaction = contextmanager(request_transaction)(request, session)
    transaction.__enter__()  # runs to its `yield`: no statement
    try:
        yield session
    except Exception as problem:
        if not await run_in_threadpool(_end_transaction, session, transaction, problem):
            raise
    else:
        await run_in_threadpool(_end_transaction, session, transaction, None)


def _end_transaction(
    session: Session, transaction: AbstractContextManager[Session], problem: Exception | None
) -> bool:
    """Commit or roll back (`request_transaction`), then give the connection back; True if handled."""
    try:
        if problem is None:
            transaction.__exit__(None, None, None)
            return False
        return bool(transaction.__exit__(type(problem), problem, problem.__traceback__))
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


# Dependencies that only look at what is already in hand are `async`: a plain `def` would cost each
# request a hop to the thread pool and back. Those that touch the database stay plain (thread pool).


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_identity(request: Request, db: SessionDep, settings: SettingsDep) -> Identity:
    identity = identify(request, db, settings)
    request.state.identity = identity
    request.state.for_child = is_child(identity.person)  # for an error page, which reads no database
    return identity


IdentityDep = Annotated[Identity, Depends(get_identity)]


def actor_for(request: Request, person: Person | None) -> Actor:
    return Actor(
        person=person,
        channel=Channel.API if wants_json(request) else Channel.PAGE,
        client_address=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )


async def get_actor(request: Request, identity: IdentityDep) -> Actor:
    return actor_for(request, identity.person)


ActorDep = Annotated[Actor, Depends(get_actor)]


async def get_current_person(identity: IdentityDep) -> Person:
    if identity.person is None:
        raise SignInRequired()
    return identity.person


CurrentPerson = Annotated[Person, Depends(get_current_person)]

RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]
"""A row id in a path: out-of-range numbers are a 422, never a database error."""


def get_current_plan(
    request: Request, plan_id: RowId, person: CurrentPerson, db: SessionDep, actor: ActorDep
) -> PlanAccess:
    """The plan in the path, for this person: absent (404, audited) unless they may see it. For a
    page, its council's words (an ISP's names) go to the page's context (`app.rendering.render`);
    the API names kinds and layers by their codes, so it asks for none."""
    access = plan_access(db, actor, plan_id)
    if not wants_json(request):
        request.state.plan_words = words_for_plan(db, access.plan)
    return access


CurrentPlan = Annotated[PlanAccess, Depends(get_current_plan)]


async def _check_csrf(request: Request, identity: Identity, settings: Settings) -> None:
    """Every state-changing request from a browser carries the token of its own session."""
    if request.method in SAFE_METHODS or identity.by_token:
        return
    offered = request.headers.get(CSRF_HEADER)
    if offered is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        field = (await request.form()).get(CSRF_FIELD)
        offered = field if isinstance(field, str) else None
    if not csrf_valid(settings.secret_key, identity.csrf_binding, offered):
        raise Refused(
            403,
            "This form has expired or did not come from OnePlan. Go back, reload the page and try again.",
            action="csrf.refused",
            person=identity.person or identity.pending,
        )


async def _check_form_text(request: Request) -> None:
    """Typed text never holds a NUL character (no keyboard makes one; PostgreSQL cannot store it)."""
    if request.method in SAFE_METHODS or not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return
    for value in (await request.form()).values():
        if isinstance(value, str) and "\x00" in value:
            raise HTTPException(400, "The form held a character that cannot be stored. Type the text again.")


async def check_form(request: Request, identity: IdentityDep, settings: SettingsDep) -> None:
    """The checks that read the posted form (async, and without the database)."""
    await _check_csrf(request, identity, settings)
    await _check_form_text(request)


def requires(permission: Permission) -> Any:
    """Declare, and enforce, the permission a route needs (a test fails on any route without one).

    A plain `def`, run in the thread pool: it may read the database (is the plan there for them?).
    """

    def check_permission(
        request: Request, identity: IdentityDep, db: SessionDep, _form: Annotated[None, Depends(check_form)]
    ) -> None:
        if permission is Permission.PUBLIC:
            return
        if permission is Permission.SECOND_FACTOR_PENDING:
            if identity.pending is None:
                raise SignInRequired()
            return
        person = identity.person
        if person is None:
            raise SignInRequired()
        if not role_may(person, permission):
            absent_unless_seen(db, person, request.path_params)
            raise Refused(
                403,
                "Your role does not allow this.",
                action="permission.refused",
                person=person,
                reason=f"needs {permission.value}",
            )

    setattr(check_permission, PERMISSION_ATTRIBUTE, permission)
    return Depends(check_permission)
