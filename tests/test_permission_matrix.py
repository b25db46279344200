"""Every route, as every kind of caller, for each relationship: exactly the designed answer.

A route that no module in tests/matrix/ lists fails `test_every_route_is_in_the_matrix`. The read
routes are played here; the write routes in tests/test_audit_every_write.py, which checks each play's
answer and the audit event it recorded together (playing every write twice cost a minute a run).
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

import tests.matrix
from app.auth import SESSION_COOKIE
from app.config import Settings
from app.dependencies import SAFE_METHODS
from app.models import AuditEvent, Organisation, OrganisationKind, Person, PersonRole
from app.routes import app_routes
from app.services.auth.csrf import csrf_token
from app.services.auth.secrets import digest
from tests.factories import make_organisation, make_person, session_token_for
from tests.matrix import ANONYMOUS, CALLERS, Relationship, Route
from tests.plan_factories import events_since, last_event_id


def _all_entries() -> list[Route]:
    entries: list[Route] = []
    for module_info in pkgutil.iter_modules(tests.matrix.__path__):
        module = importlib.import_module(f"tests.matrix.{module_info.name}")
        entries.extend(getattr(module, "ROUTES", []))
    return entries


ENTRIES = _all_entries()
READS = [entry for entry in ENTRIES if entry.method in SAFE_METHODS]
WRITES = [entry for entry in ENTRIES if entry.method not in SAFE_METHODS]


def _route_keys(app: FastAPI) -> set[tuple[str, str]]:
    return {(method, route.path) for route in app_routes(app) for method in route.methods}


def test_every_route_is_in_the_matrix(app: FastAPI) -> None:
    listed = {(entry.method, entry.path) for entry in ENTRIES}
    assert sorted(_route_keys(app) - listed) == [], "add these routes to a module in tests/matrix/"
    assert sorted(listed - _route_keys(app)) == [], "the matrix lists routes the app does not have"


def test_every_entry_answers_for_every_caller() -> None:
    for entry in ENTRIES:
        for relationship, expected in entry.expect.items():
            assert set(expected) == set(CALLERS), f"{entry.method} {entry.path} ({relationship})"


def _organisation_for(db: Session, role: PersonRole) -> Organisation | None:
    kinds = {
        PersonRole.EDUCATION: OrganisationKind.SCHOOL,
        PersonRole.HEALTH: OrganisationKind.HEALTH,
        PersonRole.SOCIAL_CARE: OrganisationKind.SOCIAL_CARE,
        PersonRole.LA_CASE_OFFICER: OrganisationKind.LOCAL_AUTHORITY,
        PersonRole.LA_AUDIT_OFFICER: OrganisationKind.LOCAL_AUTHORITY,
    }
    return make_organisation(db, kinds[role]) if role in kinds else None


@dataclass(frozen=True)
class Played:
    status: int
    person: Person | None
    """Who made the request (made for it), or None for an anonymous visitor."""
    events: list[AuditEvent]
    """The audit events a write's request recorded (a read's are not looked at: none are listed)."""


@pytest.fixture
def play_as(
    client: TestClient,
    db_session: Session,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[Route, str, Relationship], Played]:
    """Make the entry's request as a new person of the caller's kind, for the relationship."""
    # Checkpoints are files, not rows: each test starts with none, whatever others published.
    monkeypatch.setattr(settings, "audit_checkpoint_dir", tmp_path / "checkpoints")

    def request(entry: Route, caller: str, relationship: Relationship) -> Played:
        client.cookies.clear()
        person: Person | None = None
        headers: dict[str, str] = {}
        if caller != ANONYMOUS:
            role = PersonRole(caller)
            person = make_person(
                db_session, role, organisation=_organisation_for(db_session, role), password=None
            )
            token = session_token_for(db_session, person)
            client.cookies.set(SESSION_COOKIE, token)
            headers["X-CSRF-Token"] = csrf_token(settings.secret_key, f"session:{digest(token)}")
        else:
            client.cookies.set("oneplan_browser", "matrix-visitor")
            headers["X-CSRF-Token"] = csrf_token(settings.secret_key, "browser:matrix-visitor")
        params = entry.params(db_session, person, relationship) if entry.params else {}
        path = entry.path.format(**params)
        last_event_before = None if entry.method in SAFE_METHODS else last_event_id(db_session)
        response = client.request(
            entry.method,
            path,
            headers=headers,
            data=dict(entry.form) or None,
            json=entry.json,
            follow_redirects=False,
        )
        events = [] if last_event_before is None else events_since(db_session, last_event_before)
        return Played(response.status_code, person, events)

    return request


@pytest.fixture
def play(play_as: Callable[[Route, str, Relationship], Played]) -> Callable[[Route, str, Relationship], int]:
    """Make the entry's request as the caller, for the relationship; return the status code."""
    return lambda entry, caller, relationship: play_as(entry, caller, relationship).status


def designed_answers(entry: Route) -> dict[tuple[str, str], int]:
    """The status each caller must get, by relationship and caller."""
    return {
        (relationship.value, caller): status
        for relationship, expected in entry.expect.items()
        for caller, status in expected.items()
    }


@pytest.mark.parametrize("entry", READS, ids=[f"{entry.method} {entry.path}" for entry in READS])
def test_route_answers_each_caller_as_designed(
    entry: Route, play: Callable[[Route, str, Relationship], int]
) -> None:
    answers = {
        (relationship.value, caller): play(entry, caller, relationship)
        for relationship, expected in entry.expect.items()
        for caller in expected
    }
    assert answers == designed_answers(entry)
