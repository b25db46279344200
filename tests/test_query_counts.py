"""Lists cost the same number of queries whether they show two rows or forty."""

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.actor import Actor
from app.models import OrganisationKind, Person, PersonRole
from app.services.auth.api_tokens import create_token
from tests.factories import make_organisation, make_person
from tests.query_count import counting_queries


def _queries(app: FastAPI, client: TestClient, path: str) -> int:
    with counting_queries() as counter:
        assert client.get(path).status_code == 200
    return counter.count


@pytest.mark.parametrize("path", ["/admin/people", "/admin/organisations"])
def test_admin_lists_do_not_grow_with_their_rows(
    app: FastAPI, client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str], path: str
) -> None:
    sign_in_as(make_person(db_session, PersonRole.ADMINISTRATOR, password=None))
    council = make_organisation(db_session, OrganisationKind.LOCAL_AUTHORITY)
    few = _queries(app, client, path)
    for _ in range(20):
        school = make_organisation(db_session, OrganisationKind.SCHOOL, council)
        make_person(db_session, PersonRole.EDUCATION, organisation=school, password=None)
    assert _queries(app, client, path) == few


def test_token_list_does_not_grow_with_tokens(
    app: FastAPI, client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    parent = make_person(db_session, password=None)
    sign_in_as(parent)
    few = _queries(app, client, "/account/tokens")
    for number in range(20):
        create_token(db_session, Actor.command(), parent, f"token {number}")
    assert _queries(app, client, "/account/tokens") == few


def test_the_counter_sees_the_page_queries(
    app: FastAPI, client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str]
) -> None:
    sign_in_as(make_person(db_session, password=None))
    assert 1 <= _queries(app, client, "/account/tokens") <= 6
