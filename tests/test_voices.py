"""Views as evidence: the family's own pages, pictures (bad and hostile ones), who may read a view
(walked across every route that shows views), links and the voice figure, reading ease."""

import re
from collections.abc import Callable
from io import BytesIO

import pytest
import textstat
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from app.config import Settings
from app.models import (
    AuditEvent,
    Item,
    ItemKind,
    ItemLink,
    Person,
    Plan,
    PlanStatus,
    PlanVersion,
    PlanVersionItem,
    ViewDetail,
    ViewPicture,
)
from app.services.voices import pictures
from tests.page_checks import check_page, whole_plan
from tests.test_plan_pages import plan_of, text_of

SignIn = Callable[[Person], str]
Demo = Callable[[str], Person]
HIDDEN = "Mr Baker helps me"
"""Sam's demo view for Alex and Tom Baker only."""


def png(width: int = 40, height: int = 30, **info: object) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), "green").save(out, format="PNG", **info)  # type: ignore[arg-type]
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def view_item(db: Session, plan: Plan, words: str) -> Item:
    from app.models import ItemRevision

    return db.exec(
        select(Item)
        .join(ItemRevision, col(ItemRevision.id) == col(Item.current_revision_id))
        .where(col(Item.plan_id) == plan.id, col(ItemRevision.text).startswith(words))
    ).one()


# Pictures ------------------------------------------------------------------------------------------


def test_a_picture_is_checked_by_its_content_and_stripped_of_metadata() -> None:
    checked = pictures.checked_picture(jpeg_with_gps())
    assert checked.media_type == "image/jpeg"
    assert b"PhoneMaker" not in checked.data
    with Image.open(BytesIO(checked.data)) as reopened:
        assert not reopened.getexif()
    kept = pictures.checked_picture(png(pnginfo=None))
    assert kept.media_type == "image/png"
    assert (kept.width, kept.height) == (40, 30)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a" + b"\x00" * 100, pictures.NOT_A_PICTURE),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", pictures.NOT_A_PICTURE),
        (b"%PDF-1.4 renamed to drawing.png", pictures.NOT_A_PICTURE),
        (png()[:60], pictures.BROKEN),
        (b"", pictures.EMPTY),
        (b"\x89PNG" + b"\x00" * (pictures.MAX_BYTES + 1), pictures.TOO_BIG),
    ],
    ids=["gif", "svg-script", "pdf-renamed", "truncated-png", "empty", "oversized"],
)
def test_bad_and_hostile_files_are_refused_with_a_friendly_message(data: bytes, message: str) -> None:
    with pytest.raises(pictures.PictureProblem, match=re.escape(message)):
        pictures.checked_picture(data)


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    out = BytesIO()
    Image.new("1", (6000, 6000)).save(out, format="PNG")  # tiny file, 36 million pixels
    assert len(out.getvalue()) < pictures.MAX_BYTES
    with pytest.raises(pictures.PictureProblem, match="too big"):
        pictures.checked_picture(out.getvalue())


def test_a_renamed_file_is_refused_on_the_young_persons_page(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Sam Taylor"))
    response = client.post(
        f"/plans/{plan.id}/my-views/new",
        data={"csrf_token": csrf, "step": "like", "answer_like": "Dragons", "go": "next"},
        files={"picture": ("dragon.png", b"GIF89a not really a png", "image/png")},
    )
    assert response.status_code == 200
    check_page(response.text)
    assert "That picture is not a PNG or JPEG. Try a photo or a drawing saved as PNG or JPEG." in text_of(
        response.text
    )
    assert 'value="Dragons"' in response.text or ">Dragons</textarea>" in response.text


# The young person's page, end to end ----------------------------------------------------------------


def test_sam_answers_one_question_a_screen_previews_and_sends_a_view_with_a_drawing(
    client: TestClient, db_session: Session, settings: Settings, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sam, priya, alex = demo("Sam Taylor"), demo("Priya Shah"), demo("Alex Taylor")
    csrf = sign_in_as(sam)
    first = client.get(f"/plans/{plan.id}/my-views/new")
    check_page(first.text)
    assert "What do you like?" in first.text
    form = {"csrf_token": csrf, "step": "like", "answer_like": "I like the rabbit at school.", "go": "next"}
    step = client.post(
        f"/plans/{plan.id}/my-views/new", data=form, files={"picture": ("me.png", png(), "image/png")}
    )
    assert "What are you good at?" in step.text
    picture_id = re.search(r'name="picture_like" value="(\d+)"', step.text)
    assert picture_id is not None
    carried = {
        "csrf_token": csrf,
        "answer_like": "I like the rabbit at school.",
        "picture_like": picture_id.group(1),
        "audience": "chosen",
        "readers": [str(alex.id)],
    }
    preview = client.post(f"/plans/{plan.id}/my-views/new", data={**carried, "step": "who", "go": "next"})
    check_page(preview.text)
    assert "Check your answers" in preview.text
    assert "Only you and Alex, your mum, dad or carer" in text_of(preview.text)
    sent = client.post(
        f"/plans/{plan.id}/my-views/new",
        data={**carried, "step": "check", "go": "send"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    view = view_item(db_session, plan, "I like the rabbit")
    detail = db_session.get(ViewDetail, view.id)
    assert detail is not None
    assert detail.audience == "chosen"
    assert detail.prompt == "like"
    picture = db_session.exec(select(ViewPicture).where(ViewPicture.item_id == view.id)).one()
    assert (settings.data_dir / "pictures" / picture.file_name).exists()
    home = client.get(sent.headers["location"])
    check_page(home.text)
    assert "Thank you" in home.text
    assert "I like the rabbit at school." in home.text

    # The picture: Sam and Alex see it; Priya (not picked) finds neither the view nor its picture.
    served = client.get(f"/plans/{plan.id}/pictures/{picture.id}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["cache-control"] == "private, no-store"
    assert served.headers["x-content-type-options"] == "nosniff"
    sign_in_as(alex)
    assert client.get(f"/plans/{plan.id}/pictures/{picture.id}").status_code == 200
    sign_in_as(priya)
    assert client.get(f"/plans/{plan.id}/pictures/{picture.id}").status_code == 404
    assert client.get(f"/api/v1/plans/{plan.id}/pictures/{picture.id}").status_code == 404
    assert "rabbit" not in whole_plan(client, plan.id)


def test_sam_skips_questions_and_stops_when_he_has_said_all_he_wants(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """Any question can be skipped (its words are dropped), and "I have said all I want" goes on to
    who can see it, where people are named with their part in words a child knows."""
    plan = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Sam Taylor"))
    first = client.get(f"/plans/{plan.id}/my-views/new").text
    assert "Skip this question" in first
    skipped = client.post(
        f"/plans/{plan.id}/my-views/new",
        data={"csrf_token": csrf, "step": "like", "answer_like": "Not this.", "go": "skip"},
    )
    check_page(skipped.text)
    assert "What are you good at?" in skipped.text
    assert "Not this." not in skipped.text
    done = client.post(
        f"/plans/{plan.id}/my-views/new",
        data={"csrf_token": csrf, "step": "good_at", "answer_good_at": "Lego.", "go": "done"},
    )
    check_page(done.text)
    page = text_of(done.text)
    assert "Who can see this?" in page
    assert "Tom Baker, from your school" in page
    assert "Alex, your mum, dad or carer" in page
    assert "Dr Aisha Khan, your doctor or nurse" in page
    check = client.post(
        f"/plans/{plan.id}/my-views/new",
        data={
            "csrf_token": csrf,
            "answer_good_at": "Lego.",
            "step": "who",
            "audience": "everyone",
            "go": "next",
        },
    )
    assert "Check your answers" in check.text
    assert "Lego." in check.text


def test_sams_home_page_names_who_can_see_a_view_as_he_knows_them(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Sam Taylor"))
    page = text_of(client.get(f"/plans/{plan.id}/my-views").text)
    assert "Who can see this: only you and Alex, your mum, dad or carer; Tom Baker, from your school." in page


def test_a_view_needs_at_least_one_answer(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Sam Taylor"))
    response = client.post(
        f"/plans/{plan.id}/my-views/new", data={"csrf_token": csrf, "step": "who", "go": "next"}
    )
    check_page(response.text)
    assert "Write an answer to at least one question" in response.text


def test_sam_sees_what_the_team_did_and_professionals_are_sent_away(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Sam Taylor"))
    page = text_of(client.get(f"/plans/{plan.id}/my-views").text)
    assert "You said: “The dining hall is too loud. It hurts my ears.”" in page
    assert "Your team added: A quiet place for lunch (the library)" in page
    sign_in_as(demo("Priya Shah"))
    assert client.get(f"/plans/{plan.id}/my-views").status_code == 403


def test_the_parent_page_asks_what_the_team_should_know(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Alex Taylor"))
    home = client.get(f"/plans/{plan.id}/my-views")
    check_page(home.text)
    assert "Mornings are the hardest part" in home.text
    last = client.post(
        f"/plans/{plan.id}/my-views/new",
        data={"csrf_token": csrf, "step": "future", "answer_future": "To enjoy school.", "go": "next"},
    )
    assert "What do you want the team to know?" in last.text


def readable_words(page: str) -> str:
    main = page.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return text_of(re.sub(r"<(textarea|script)[^>]*>.*?</\1>", " ", main, flags=re.S))


def test_the_young_persons_pages_read_easily(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """Flesch reading ease of at least 80 on every screen of Sam's page, and on Ella's."""
    plan = plan_of(db_session, "Sam Taylor")
    csrf = sign_in_as(demo("Sam Taylor"))
    screens = [client.get(f"/plans/{plan.id}/my-views/new").text]
    for step in ("like", "good_at", "hard", "helps", "future", "who"):
        screens.append(
            client.post(
                f"/plans/{plan.id}/my-views/new",
                data={"csrf_token": csrf, "step": step, "answer_like": "Art.", "go": "next"},
            ).text
        )
    ella_plan = plan_of(db_session, "Ella Morris")
    sign_in_as(demo("Ella Morris"))
    screens.append(client.get(f"/plans/{ella_plan.id}/my-views").text)
    for screen in screens:
        check_page(screen)
        words = readable_words(screen)
        assert textstat.flesch_reading_ease(words) >= 80, words


def test_sams_home_page_reads_easily_apart_from_the_teams_words(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Sam Taylor"))
    page = client.get(f"/plans/{plan.id}/my-views").text
    check_page(page)
    own = re.sub(r"<li><strong>.*?</li>", " ", page, flags=re.S)  # the team's answers, in their words
    assert textstat.flesch_reading_ease(readable_words(own)) >= 80


def test_ella_gets_wording_for_her_age(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Ella Morris")
    sign_in_as(demo("Ella Morris"))
    home = text_of(client.get(f"/plans/{plan.id}/my-views").text)
    assert "Your views so far" in home
    assert "Your plan is finished for now" not in home
    assert "What do you enjoy?" in client.get(f"/plans/{plan.id}/my-views/new").text


# A young person keeps their voice after the plan is issued ---------------------------------------------


def test_ella_adds_a_view_to_her_issued_plan_and_the_team_sees_it_as_new(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """Issued in the spring, reviewed a year later: Ella's view now is kept for that review."""
    plan = plan_of(db_session, "Ella Morris")
    assert plan.status is PlanStatus.ISSUED
    csrf = sign_in_as(demo("Ella Morris"))
    home = client.get(f"/plans/{plan.id}/my-views")
    assert f'href="/plans/{plan.id}/my-views/new"' in home.text
    words = "I want to try the college taster days in the summer."
    sent = client.post(
        f"/plans/{plan.id}/my-views/new",
        data={
            "csrf_token": csrf,
            "answer_future": words,
            "audience": "everyone",
            "step": "check",
            "go": "send",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    view = view_item(db_session, plan, words)
    db_session.refresh(plan)
    assert (plan.status, plan.version) == (PlanStatus.ISSUED, 1)  # the issued plan is unchanged
    issued = db_session.exec(select(PlanVersion).where(PlanVersion.plan_id == plan.id)).one()
    held = db_session.exec(select(PlanVersionItem.item_id).where(PlanVersionItem.version_id == issued.id))
    assert view.id not in set(held)
    event = db_session.exec(
        select(AuditEvent).where(AuditEvent.action == "views.sent").order_by(col(AuditEvent.id).desc())
    ).first()
    assert event is not None
    assert event.details["after_issue_of_version"] == 1

    # The team sees it on the plan page, marked new since the issue; the version 1 of the plan is as it was.
    sign_in_as(demo("Morgan Price"))
    served = client.get(f"/plans/{plan.id}").text
    page = text_of(served)
    new_part = page[page.index("Views added since version 1 was issued") :]
    assert "kept as evidence for the next review" in new_part
    assert words in new_part
    new_part = served[
        served.index('id="views-new-since-issue"') : served.index(
            "</ul>", served.index('id="views-new-since-issue"')
        )
    ]
    earlier = db_session.exec(
        select(Item.id).where(Item.plan_id == plan.id, Item.kind == ItemKind.VIEW)
    ).all()
    assert [item_id for item_id in earlier if f"#item-{item_id}" in new_part] == [view.id]


def test_a_view_can_be_added_by_the_api_to_an_issued_plan_but_not_to_an_ended_one(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Ella Morris")
    client.headers["X-CSRF-Token"] = sign_in_as(demo("Ella Morris"))
    added = client.post(f"/api/v1/plans/{plan.id}/views", json={"prompt": "future", "text": "Art college."})
    assert added.status_code == 201, added.text
    plan.status = PlanStatus.CEASED
    db_session.add(plan)
    db_session.flush()
    refused = client.post(f"/api/v1/plans/{plan.id}/views", json={"prompt": "future", "text": "Still here."})
    assert refused.status_code == 409
    assert client.get(f"/plans/{plan.id}/my-views/new").status_code == 409


# Who may read a view: every route that shows views ----------------------------------------------------


def test_a_view_hidden_by_its_young_persons_choice_shows_nowhere_to_others(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    hidden = view_item(db_session, plan, HIDDEN)
    picture = ViewPicture(
        plan_id=plan.id or 0,
        item_id=hidden.id,
        file_name="hidden.png",
        media_type="image/png",
        byte_size=1,
        width=1,
        height=1,
        uploaded_by=demo("Sam Taylor").id or 0,
    )
    db_session.add(picture)
    db_session.flush()
    routes = [
        f"/plans/{plan.id}",
        f"/plans/{plan.id}/sections/A",
        f"/plans/{plan.id}/quality",
        f"/plans/{plan.id}/changes",
        f"/plans/{plan.id}/changes?from_version=1&to_version=current",
        f"/plans/{plan.id}/changes?since=2000-01-01",
        f"/plans/{plan.id}/audit",
        f"/api/v1/plans/{plan.id}",
        f"/api/v1/plans/{plan.id}/items",
        f"/api/v1/plans/{plan.id}/items?section=A",
        f"/api/v1/plans/{plan.id}/items?kind=view",
        f"/api/v1/plans/{plan.id}/changes",
        f"/api/v1/plans/{plan.id}/changes?since=2000-01-01",
        f"/api/v1/plans/{plan.id}/views",
        f"/api/v1/plans/{plan.id}/links",
        f"/api/v1/plans/{plan.id}/audit",
    ]
    timetable = view_item(db_session, plan, "A visual timetable")
    routes.append(f"/plans/{plan.id}/items/{timetable.id}/links")
    by_id = [
        f"/plans/{plan.id}/items/{hidden.id}",
        f"/plans/{plan.id}/items/{hidden.id}/edit",
        f"/plans/{plan.id}/items/{hidden.id}/links",
        f"/plans/{plan.id}/pictures/{picture.id}",
        f"/api/v1/plans/{plan.id}/items/{hidden.id}",
        f"/api/v1/plans/{plan.id}/pictures/{picture.id}",
    ]
    for name in ("Priya Shah", "Dr Aisha Khan", "Rita Okafor"):
        csrf = sign_in_as(demo(name))
        for route in routes:
            response = client.get(route)
            assert response.status_code in {200, 404}, (name, route, response.status_code)
            assert HIDDEN not in response.text, (name, route)
        for route in by_id:
            assert client.get(route).status_code in {403, 404}, (name, route)
        comment = client.post(
            f"/plans/{plan.id}/items/{hidden.id}/comments", data={"csrf_token": csrf, "comment": "Seen it"}
        )
        assert comment.status_code in {403, 404}
    # Alex and Tom Baker were picked; Sam is the voice.
    for name in ("Sam Taylor", "Alex Taylor", "Tom Baker"):
        sign_in_as(demo(name))
        assert HIDDEN in whole_plan(client, plan.id), name
        assert client.get(f"/api/v1/plans/{plan.id}/items/{hidden.id}").status_code == 200
    events = db_session.exec(select(AuditEvent).where(AuditEvent.object_id == str(hidden.id))).all()
    assert events
    assert all(HIDDEN not in str(event.details) for event in events)


def test_only_its_author_revises_a_view_and_a_recorded_view_says_who_recorded_it(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    recorded = view_item(db_session, plan, "I want to make video games")
    sign_in_as(demo("Alex Taylor"))
    page = text_of(whole_plan(client, plan.id))
    assert "Sam Taylor's words, recorded by Tom Baker with Sam," in page
    assert client.get(f"/plans/{plan.id}/items/{recorded.id}/edit").status_code == 403
    sign_in_as(demo("Priya Shah"))
    assert client.get(f"/plans/{plan.id}/items/{recorded.id}/edit").status_code == 403
    sign_in_as(demo("Tom Baker"))
    assert client.get(f"/plans/{plan.id}/items/{recorded.id}/edit").status_code == 200


# Links and the voice figure ------------------------------------------------------------------------


def test_priya_links_an_outcome_to_a_view_and_the_plan_page_shows_it(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    outcome = view_item(db_session, plan, "By the summer, Sam will join in")  # answers a need, no view
    dragons = view_item(db_session, plan, "I like drawing dragons. This")
    csrf = sign_in_as(demo("Priya Shah"))
    before = text_of(client.get(f"/plans/{plan.id}").text)
    assert "67% of outcomes answer a view of the child or a parent (2 of 3)" in before
    page = client.get(f"/plans/{plan.id}/items/{outcome.id}/links")
    check_page(page.text)
    assert HIDDEN not in page.text
    added = client.post(
        f"/plans/{plan.id}/items/{outcome.id}/links",
        data={"csrf_token": csrf, "answers_id": str(dragons.id)},
        follow_redirects=False,
    )
    assert added.status_code == 303
    after = client.get(f"/plans/{plan.id}")
    check_page(after.text)
    assert "100% of outcomes answer a view of the child or a parent (3 of 3)" in text_of(after.text)
    link = db_session.exec(select(ItemLink).where(ItemLink.answers_id == dragons.id)).one()
    removed = client.post(
        f"/plans/{plan.id}/items/{outcome.id}/links/{link.id}/remove",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert link.removed_at is not None
    assert db_session.exec(select(AuditEvent).where(AuditEvent.action == "link.removed")).first()
    sign_in_as(demo("Sam Taylor"))
    assert "Your team set a goal" in client.get(f"/plans/{plan.id}/my-views").text


def test_the_api_adds_views_and_links_and_hides_what_it_must(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    client.headers["X-CSRF-Token"] = sign_in_as(demo("Alex Taylor"))
    picture = client.post(
        f"/api/v1/plans/{plan.id}/pictures", files={"file": ("a.jpg", jpeg_with_gps(), "image/jpeg")}
    )
    assert picture.status_code == 201, picture.text
    bad = client.post(f"/api/v1/plans/{plan.id}/pictures", files={"file": ("a.png", b"GIF89a", "image/png")})
    assert bad.status_code == 422
    assert "not a PNG or JPEG" in bad.json()["detail"][0]["msg"]
    priya = demo("Priya Shah")
    added = client.post(
        f"/api/v1/plans/{plan.id}/views",
        json={
            "prompt": "team_know",
            "text": "Only for Priya.",
            "audience": "chosen",
            "reader_ids": [priya.id],
            "picture_ids": [picture.json()["id"]],
        },
    )
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["audience"] == "chosen"
    assert body["readers"][0]["id"] == priya.id
    assert len(body["pictures"]) == 1
    client.headers["X-CSRF-Token"] = sign_in_as(demo("Tom Baker"))
    assert all(
        view["text"] != "Only for Priya." for view in client.get(f"/api/v1/plans/{plan.id}/views").json()
    )
    outcome = view_item(db_session, plan, "By Easter")
    refused = client.post(
        f"/api/v1/plans/{plan.id}/links", json={"item_id": outcome.id, "answers_id": body["id"]}
    )
    assert refused.status_code == 422
    client.headers["X-CSRF-Token"] = sign_in_as(priya)
    linked = client.post(
        f"/api/v1/plans/{plan.id}/links", json={"item_id": outcome.id, "answers_id": body["id"]}
    )
    assert linked.status_code == 201
    listing = client.get(f"/api/v1/plans/{plan.id}/links").json()
    assert listing["voice_figure"] == {"outcomes": 3, "answering": 2, "percent": 67}
    assert client.delete(f"/api/v1/plans/{plan.id}/links/{linked.json()['id']}").status_code == 204
    views = client.get(f"/api/v1/plans/{plan.id}/views").json()
    assert any(view["text"] == "Only for Priya." for view in views)
    assert any(
        view["kind"] == ItemKind.VIEW
        for view in client.get(f"/api/v1/plans/{plan.id}/items?kind=view").json()
    )
