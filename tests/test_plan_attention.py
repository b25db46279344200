"""What needs attention, first on the plan page: each person's own list, in plain words for the family."""

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.actor import Actor
from app.models import Person
from app.models.base import id_of
from app.models.timeline import AdviceRequest
from app.services.plans.access import plan_access
from app.services.voices import views
from tests.test_plan_pages import plan_of, text_of

SignIn = Callable[[Person], str]
Demo = Callable[[str], Person]

JARGON = re.compile(r"\bsection [A-K]\d?\b|golden thread|provision\b|not specific", re.IGNORECASE)


def attention_of(page: str) -> list[tuple[str, str]]:
    """The needs-attention list: (where each entry links, its words), in the order shown."""
    part = page.split('id="attention"', 1)[1].split("</section>", 1)[0]
    return [(href, text_of(words)) for href, words in re.findall(r'href="([^"]+)">(.*?)</a>', part, re.S)]


def test_the_list_comes_before_anything_else_on_the_plan(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    sign_in_as(demo("Alex Taylor"))
    page = client.get(f"/plans/{plan_of(db_session, 'Sam Taylor').id}").text
    main = page.split("<main", 1)[1]
    assert main.index('id="attention"') < main.index("Known as") < main.index('id="contents-title"')


def test_alex_reads_the_shortfall_and_what_nothing_answers_in_plain_words(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Alex Taylor"))
    entries = attention_of(client.get(f"/plans/{plan.id}").text)
    words = [text for _href, text in entries]
    shortfall = next(entry for entry in entries if "Sam got less help than the plan promises" in entry[1])
    assert shortfall[0].startswith(f"/plans/{plan.id}/delivery/")
    assert client.get(shortfall[0]).status_code == 200
    assert any(text.startswith("Nothing in the plan answers what you said about “Mornings") for text in words)
    assert any(
        text.startswith("Nothing in the plan answers what Sam said about “I like drawing") for text in words
    )
    assert any("does not yet say clearly what Sam will get" in text for text in words)
    assert not [text for text in words if JARGON.search(text)]
    urgent = entries.index(shortfall)
    assert all("Nothing in the plan answers" not in text for _href, text in entries[:urgent])


def test_priya_sees_the_comments_on_what_she_wrote_and_alex_does_not(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Priya Shah"))
    priya = attention_of(client.get(f"/plans/{plan.id}").text)
    comments = [(href, text) for href, text in priya if "on what you wrote" in text]
    assert comments == [
        (
            comments[0][0],
            "1 comment on what you wrote in section F (Support in school), not yet answered by a change.",
        )
    ]
    assert re.fullmatch(rf"/plans/{plan.id}/sections/F#item-\d+", comments[0][0])
    assert any(
        text.startswith("Provision in section H1 (Social care support) is not specific") for _h, text in priya
    )
    sign_in_as(demo("Alex Taylor"))
    assert not [
        text
        for _href, text in attention_of(client.get(f"/plans/{plan.id}").text)
        if "on what you wrote" in text
    ]


def test_advice_asked_of_a_person_is_theirs_to_give(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Dr Aisha Khan"))
    aisha = [text for _href, text in attention_of(client.get(f"/plans/{plan.id}").text)]
    assert any(
        text.startswith("Your advice is asked for: medical advice") and "It is late." in text
        for text in aisha
    )
    sign_in_as(demo("Alex Taylor"))
    alex = [text for _href, text in attention_of(client.get(f"/plans/{plan.id}").text)]
    assert not [text for text in alex if "Your advice" in text]
    assert any(text.startswith("Late: Medical advice") for text in alex)


def test_what_is_due_moves_with_the_uk_day_though_the_outline_is_kept(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    advice = db_session.exec(
        select(AdviceRequest).where(AdviceRequest.plan_id == plan.id, AdviceRequest.returned_on == None)  # noqa: E711
    ).first()
    assert advice is not None

    def on(day: date) -> list[str]:
        for module in ("app.page_cache", "app.services.timelines.reading"):
            monkeypatch.setattr(f"{module}.uk_today", lambda: day)
        return [
            text
            for _href, text in attention_of(client.get(f"/plans/{plan.id}").text)
            if "Medical advice" in text
        ]

    sign_in_as(demo("Alex Taylor"))
    assert [text.split(":")[0] for text in on(advice.due_on - timedelta(days=1))] == ["Due soon"]
    assert [text.split(":")[0] for text in on(advice.due_on + timedelta(days=1))] == ["Late"]


def test_each_short_week_reads_as_its_own_sentence(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """Weeks ran into each other ("(1 missed)Week of 16 November") for anyone reading the words out."""
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Alex Taylor"))
    for address in (f"/plans/{plan.id}", f"/plans/{plan.id}/delivery"):
        weeks = re.findall(r'<span class="oneplan-delivery__week">(.*?)</span>(.)', client.get(address).text)
        assert weeks, address
        assert all(
            words.endswith(("missed).", "nothing logged.")) and after == " " for words, after in weeks
        ), (
            address,
            weeks,
        )


def test_past_three_views_nothing_answers_one_entry_counts_them_and_leads_to_their_list(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Alex Taylor"))
    before = unanswered_listed(client.get(f"/plans/{plan.id}").text)
    assert 0 < len(before) <= 3, "the demo's plan lists each view nothing answers"
    sam = demo("Sam Taylor")
    access = plan_access(db_session, Actor.command(sam), id_of(plan))
    said = ["I like the quiet room.", "Loud bells scare me.", "I want to sit near Jo."]
    for text in said:
        views.add_view(db_session, Actor.command(sam), access, views.NewView(text=text))
    db_session.flush()
    page = client.get(f"/plans/{plan.id}").text
    listed = unanswered_listed(page)
    assert len(listed) == len(before) + 3
    assert all(any(text in entry for entry in listed) for text in said)
    about_views = [
        (href, text) for href, text in attention_of(page) if text.startswith("Nothing in the plan")
    ]
    assert about_views == [
        (
            f"/plans/{plan.id}#voices-title",
            f"Nothing in the plan answers {len(listed)} things that Sam and the family said.",
        )
    ]


def unanswered_listed(page: str) -> list[str]:
    """The plan page's list of the views nothing answers yet (below its figure on views)."""
    part = page.split('id="voices-title"', 1)[1].split("</ul>", 1)[0]
    return [text_of(entry) for entry in re.findall(r"<li>(.*?)</li>", part, re.S)]
