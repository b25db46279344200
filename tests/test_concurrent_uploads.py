"""Simultaneous picture uploads to a real `oneplan serve`: every one answered, /healthz answering meanwhile.

An upload route that did its image work, SQL and audit write on the event loop froze the whole
process on PostgreSQL: one request waited on the loop for the audit chain's lock, which the other
could only release through the loop (issue 22, finding 2).
"""

import inspect
import io
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from PIL import Image
from sqlmodel import Session, func, select

from app.actor import Actor
from app.auth import SESSION_COOKIE
from app.config import Environment, Settings
from app.db import build_engine
from app.dependencies import get_session
from app.models import AuditEvent, MemberRole, ViewPicture
from app.models.base import id_of
from app.routes import app_routes
from app.services.auth.api_tokens import create_token
from app.services.auth.csrf import csrf_token
from app.services.auth.secrets import digest
from tests.databases import migrated_database
from tests.factories import session_token_for
from tests.plan_factories import make_plan
from tests.served import Served, oneplan_serve

UPLOADS_AT_ONCE = 8
ROUNDS = 4
ANSWER_WITHIN = httpx.Timeout(20.0)
"""Per request: a frozen server fails the test instead of hanging it."""


def png(size: int = 10) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), "orange").save(out, format="PNG")
    return out.getvalue()


@dataclass(frozen=True)
class World:
    settings: Settings
    plan_id: int
    token: str
    """The parent's API token."""
    session: str
    """The parent's signed-in session (its cookie), for the pages."""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A migrated database with a plan, and an API token and a session for the parent on it."""
    with migrated_database(tmp_path) as url:
        settings = Settings(environment=Environment.TEST, database_url=url, data_dir=tmp_path)
        engine = build_engine(settings)
        with Session(engine) as db:
            plan, people = make_plan(db)
            parent = people[MemberRole.PARENT_CARER]
            _token, secret = create_token(db, Actor.command(), parent, "uploads")
            session = session_token_for(db, parent)
            plan_id = id_of(plan)
            db.commit()
        engine.dispose()
        yield World(settings, plan_id, secret, session)


@pytest.fixture
def server(world: World, tmp_path: Path) -> Iterator[Served]:
    environment = {
        "ONEPLAN_DATABASE_URL": world.settings.resolved_database_url,
        "ONEPLAN_DATA_DIR": str(world.settings.data_dir),
    }
    with oneplan_serve(environment, tmp_path) as served:
        yield served


def _upload_by_api(base_url: str, world: World, picture: bytes) -> int:
    with httpx.Client(base_url=base_url, timeout=ANSWER_WITHIN) as client:
        response = client.post(
            f"/api/v1/plans/{world.plan_id}/pictures",
            headers={"Authorization": f"Bearer {world.token}"},
            files={"file": ("drawing.png", picture, "image/png")},
        )
        return 201 if response.status_code == 201 else response.status_code * 1000


def _upload_by_page(base_url: str, world: World, picture: bytes) -> int:
    """A parent's screen of the views page with a drawing chosen: 201 when the picture was kept."""
    csrf = csrf_token(world.settings.secret_key, f"session:{digest(world.session)}")
    with httpx.Client(
        base_url=base_url, timeout=ANSWER_WITHIN, cookies={SESSION_COOKIE: world.session}
    ) as client:
        response = client.post(
            f"/plans/{world.plan_id}/my-views/new",
            data={"csrf_token": csrf, "step": "like", "answer_like": "Drawing", "go": "next"},
            files={"picture": ("drawing.png", picture, "image/png")},
        )
        kept = response.status_code == 200 and 'name="picture_like" value="' in response.text
        return 201 if kept else response.status_code * 1000


def _healthz(base_url: str) -> int:
    with httpx.Client(base_url=base_url, timeout=ANSWER_WITHIN) as client:
        return client.get("/healthz").status_code


def _answer(future: Future[int], what: str) -> int:
    try:
        return future.result()
    except httpx.TimeoutException:
        pytest.fail(f"{what} got no answer: the server froze")


@pytest.mark.parametrize("upload", [_upload_by_api, _upload_by_page], ids=["api", "page"])
def test_simultaneous_uploads_are_all_answered_and_health_answers_meanwhile(
    world: World, server: Served, upload: Callable[[str, World, bytes], int]
) -> None:
    picture = png()
    with ThreadPoolExecutor(max_workers=UPLOADS_AT_ONCE + 1) as pool:
        for round_number in range(1, ROUNDS + 1):
            uploads = [pool.submit(upload, server.base_url, world, picture) for _ in range(UPLOADS_AT_ONCE)]
            health = pool.submit(_healthz, server.base_url)
            answers = [_answer(upload, f"An upload in round {round_number}") for upload in uploads]
            assert answers == [201] * UPLOADS_AT_ONCE, server.log_text()
            assert _answer(health, f"/healthz in round {round_number}") == 200

    engine = build_engine(world.settings)
    with Session(engine) as db:
        stored = db.exec(select(func.count()).select_from(ViewPicture)).one()
        audited = db.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "picture.added")
        ).one()
    engine.dispose()
    assert stored == audited == UPLOADS_AT_ONCE * ROUNDS


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def test_no_route_does_its_work_on_the_event_loop(app: FastAPI) -> None:
    """Every handler is a plain `def` (FastAPI runs it in the thread pool), and no async dependency
    takes the database session: a coroutine that blocks on SQL, image work or a lock stops every
    request of the process, whatever the database does about locks."""
    on_the_loop = []
    for route in app_routes(app):
        endpoint = route.dependant.call
        if inspect.iscoroutinefunction(endpoint):
            on_the_loop.append(f"{sorted(route.methods)} {route.path}: async def {endpoint.__name__}")
        for dependency in _dependencies(route.dependant):
            uses_session = any(sub.call is get_session for sub in dependency.dependencies)
            if inspect.iscoroutinefunction(dependency.call) and uses_session:
                name = getattr(dependency.call, "__name__", "?")
                on_the_loop.append(f"{route.path}: async dependency {name}")
    assert len(list(app_routes(app))) > 100
    assert on_the_loop == []
