"""Each page renders for a visitor and passes the page checks."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Person
from tests.factories import make_person
from tests.page_checks import check_page


def test_start_page_says_what_oneplan_is(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    check_page(response.text)
    assert "<title>One plan for every child – OnePlan</title>" in response.text
    assert "write one\n      plan together" in response.text


@pytest.mark.parametrize("path", ["/no-such-page", "/plans/999999"])
def test_error_pages_pass_the_checks(
    client: TestClient, db_session: Session, sign_in_as: Callable[[Person], str], path: str
) -> None:
    sign_in_as(make_person(db_session, password=None))
    response = client.get(path)
    assert response.status_code == 404
    check_page(response.text)


def test_the_page_checker_catches_a_broken_page() -> None:
    with pytest.raises(AssertionError, match="h1"):
        check_page(
            '<!DOCTYPE html><html lang="en-GB"><head><title>x</title></head><body>'
            '<a href="#main-content">Skip</a><main id="main-content"></main></body></html>'
        )


def test_oneplan_is_not_dressed_as_gov_uk(client: TestClient) -> None:
    page = client.get("/").text
    css = client.get("/static/oneplan.css").text
    assert "govuk-header__logo" not in page
    assert "crown" not in page.lower()
    assert "GDS Transport" not in css
    assert "#00625e" in css


def test_pages_are_compressed_for_browsers_that_accept_it(client: TestClient) -> None:
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(response.content)
