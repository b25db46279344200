"""Advice returned with its files (issue 17's leftover): the page allows five files of 5 MB, so the
advice post alone may send more than the service's 10 MB request limit; every other request keeps it.
A post the page would refuse file by file comes back as the page, with the words typed kept."""

import html
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Person
from app.models.timeline import AdviceAttachment, AdviceRequest
from app.services.timelines import advice_files
from tests.test_assessment_to_plan import PDF, khans_advice, sen_support_plan

Demo = Callable[[str], Person]
SignIn = Callable[[Person], str]
DEFAULT_LIMIT = 10 * 1024 * 1024


def full_size_pdf() -> bytes:
    """A PDF of exactly 5 MB, the most a file may be."""
    report = PDF[:-7] + b"%" + b"x" * (advice_files.MAX_BYTES - len(PDF) - 1) + b"\n%%EOF\n"
    assert len(report) == advice_files.MAX_BYTES
    return report


def khans_request(db: Session, demo: Demo) -> tuple[int, AdviceRequest]:
    sam = sen_support_plan(db, demo)
    return sam.id or 0, khans_advice(db, sam)


TERMS = [("attachments", (f"term {n}.pdf", full_size_pdf(), "application/pdf")) for n in range(1, 6)]
"""Five reports of 5 MB each: 25 MB, more than the service's 10 MB request limit."""


def test_five_files_of_5_mb_are_returned_with_the_advice(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan_id, advice = khans_request(db_session, demo)
    done = client.post(
        f"/plans/{plan_id}/advice-requests/{advice.id}/advice",
        data={"csrf_token": sign_in_as(demo("Dr Aisha Khan")), "advice_text": "Five reports, one a term."},
        files=TERMS,
        follow_redirects=False,
    )
    assert done.status_code == 303
    stored = db_session.exec(
        select(AdviceAttachment).where(AdviceAttachment.advice_request_id == advice.id)
    ).all()
    assert sorted(file.shown_name for file in stored) == [f"term {n}.pdf" for n in range(1, 6)]
    assert {file.byte_size for file in stored} == {advice_files.MAX_BYTES}


def test_six_files_come_back_as_the_page_with_the_words_kept(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """Over 25 MB, but within the advice post's own limit: the page says what to do, not a 413."""
    plan_id, advice = khans_request(db_session, demo)
    page = client.post(
        f"/plans/{plan_id}/advice-requests/{advice.id}/advice",
        data={"csrf_token": sign_in_as(demo("Dr Aisha Khan")), "advice_text": "Ear defenders in assemblies."},
        files=[*TERMS, ("attachments", ("summer.pdf", PDF, "application/pdf"))],
    )
    assert page.status_code == 200
    shown = html.unescape(page.text)
    assert "There is a problem" in shown
    assert "Attach at most 5 files" in shown
    assert ">Ear defenders in assemblies.</textarea>" in shown
    assert advice.returned_on is None


def test_the_advice_page_tells_the_browser_the_limits_in_the_pages_words(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """What the browser checks before sending (assets/js/oneplan.js): an oversize post is never sent."""
    plan_id, advice = khans_request(db_session, demo)
    sign_in_as(demo("Dr Aisha Khan"))
    page = client.get(f"/plans/{plan_id}/advice-requests/{advice.id}").text
    assert f'data-max-files="{advice_files.MAX_FILES}"' in page
    assert f'data-max-file-bytes="{advice_files.MAX_BYTES}"' in page
    assert 'data-too-big="{name} is larger than 5 MB.' in page
    assert 'data-too-many="Attach at most 5 files"' in page


def test_beyond_the_advice_posts_own_limit_is_a_413(client: TestClient) -> None:
    answer = client.post(
        "/plans/1/advice-requests/1/advice",
        content=b"x" * (advice_files.REQUEST_BYTES + 1),
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert answer.status_code == 413


def test_every_other_post_keeps_the_service_limit(client: TestClient) -> None:
    over_default = b"x" * (DEFAULT_LIMIT + 1)
    for path in ("/plans/1/advice-requests/1", "/plans/1/advice-requests/1/advice/more", "/sign-in"):
        answer = client.post(
            path, content=over_default, headers={"Content-Type": "multipart/form-data; boundary=x"}
        )
        assert answer.status_code == 413, path
