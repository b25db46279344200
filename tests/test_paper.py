"""The plan on paper: the demo plans as PDFs (their text layer and a look at page one), "My plan"."""

import logging
import re
import subprocess
from pathlib import Path

import pytest
import textstat
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actor import Actor
from app.models import AuditEvent, Item, ItemKind, Plan, Section
from app.services.plans.access import plan_access
from app.services.plans.content import plan_items
from app.services.plans.plans import SECTION_TITLES
from app.services.voices import views
from tests.page_checks import check_page
from tests.test_plan_pages import plan_of, text_of
from tests.test_voices import Demo, SignIn, readable_words

HIDDEN_VIEW = "Mr Baker helps me. He tells me what is going to happen next."
"""Sam's view for Alex and Tom only (app/services/demo/voices.py)."""


def words(text: str) -> str:
    return " ".join(text.split())


def pdf_text(document: bytes, folder: Path, name: str) -> str:
    path = folder / f"{name}.pdf"
    path.write_bytes(document)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def page_one_image(document: bytes, folder: Path, name: str) -> Path:
    """Page one as a PNG beside the test's files (for a look: the lead quotes it)."""
    path = folder / f"{name}.pdf"
    path.write_bytes(document)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(path), str(folder / name)],
        check=True,
    )
    return folder / f"{name}.png"


def views_for(db: Session, plan: Plan, reader_name: str, demo: Demo) -> list[str]:
    reader = demo(reader_name)
    access = plan_access(db, Actor.command(reader), plan.id or 0)
    return [entry.revision.text for entry in plan_items(db, access) if entry.item.kind is ItemKind.VIEW]


def get_pdf(client: TestClient, address: str) -> bytes:
    answer = client.get(address)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith('attachment; filename="OP-')
    assert answer.content.startswith(b"%PDF-")
    return answer.content


def test_the_demo_plans_print_every_section_and_every_view_the_reader_may_see(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, tmp_path: Path
) -> None:
    for child, reader in (("Sam Taylor", "Alex Taylor"), ("Ella Morris", "Morgan Price")):
        plan = plan_of(db_session, child)
        sign_in_as(demo(reader))
        document = get_pdf(client, f"/plans/{plan.id}/plan.pdf")
        text = words(pdf_text(document, tmp_path, plan.reference))
        for section, title in SECTION_TITLES[plan.kind].items():
            assert words(title) in text, (plan.reference, section)
        views = views_for(db_session, plan, reader, demo)
        assert views
        for view in views:
            assert words(view) in text
        # Every page carries the plan's reference, its version and its page number.
        pages = text.count("Page ")
        assert pages >= 2
        assert text.count(plan.reference) >= pages
        assert text.count(f"Version {plan.version},") >= pages
        assert f"Page 1 of {pages}" in text
        image = page_one_image(document, tmp_path, f"{plan.reference}-page-1")
        assert image.stat().st_size > 10_000


SHARED_ONLY_WITH = (
    "Shared only with Alex Taylor (parent or carer) and Tom Baker (education, Riverside Primary School)."
    " Not printed for anyone else."
)
"""The mark on Sam's view for Alex and Tom: who may read it, by name and part in the plan."""


def test_a_view_shared_with_some_people_prints_for_them_marked_and_for_no_one_else(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, tmp_path: Path
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    for reader in ("Alex Taylor", "Tom Baker", "Sam Taylor"):
        sign_in_as(demo(reader))
        text = words(pdf_text(get_pdf(client, f"/plans/{plan.id}/plan.pdf"), tmp_path, "reader"))
        assert f"What helps {SHARED_ONLY_WITH} {HIDDEN_VIEW}" in text, reader
        # Views for everyone carry no mark: the one mark is on the one restricted view.
        assert text.count("Shared only with") == 1, reader
    for other in ("Priya Shah", "Dr Aisha Khan", "Jo Green"):
        sign_in_as(demo(other))
        text = words(pdf_text(get_pdf(client, f"/plans/{plan.id}/plan.pdf"), tmp_path, "other"))
        assert "I like drawing dragons. This is my dragon." in text
        assert HIDDEN_VIEW not in text
        assert "Mr Baker helps me. He tells me" not in text
        assert "Shared only with" not in text


def test_the_familys_views_come_first_and_advice_is_an_appendix(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, tmp_path: Path
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Priya Shah"))
    text = words(pdf_text(get_pdf(client, f"/plans/{plan.id}/plan.pdf"), tmp_path, "priya"))
    assert "In the words of Sam Taylor" in text
    assert "written down by Tom Baker" in text
    section_a = text.split("What the child and family say", 2)[-1].split(
        SECTION_TITLES[plan.kind][Section.B]
    )[0]
    first_professional = section_a.find("Written by")
    assert first_professional == -1 or section_a.find("In the words of") < first_professional
    advice = db_session.exec(
        select(Item).where(col(Item.plan_id) == plan.id, col(Item.section) == Section.K.value)
    ).all()
    assert advice
    assert f"Appendix {len(advice)}: Advice and reports" in text
    assert "Sam Taylor's picture with their view" in text  # the drawing's description


def test_a_frozen_version_prints_as_it_was_and_each_copy_is_audited(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, tmp_path: Path
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Priya Shah"))
    text = words(pdf_text(get_pdf(client, f"/plans/{plan.id}/plan.pdf?version=1"), tmp_path, "v1"))
    assert "Version 1, agreed at a review" in text
    assert "still being written" not in text
    event = db_session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert event is not None
    assert (event.action, event.plan_id, event.details["format"], event.details["version"]) == (
        "plan.exported",
        plan.id,
        "pdf",
        1,
    )
    assert client.get(f"/plans/{plan.id}/plan.pdf?version=9").status_code == 404
    api = client.get(f"/api/v1/plans/{plan.id}/plan.pdf?version=1")
    assert api.status_code == 200
    assert api.content.startswith(b"%PDF-")


def test_only_the_plans_members_take_a_copy(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    for outsider in ("Chris Wood", "Rita Okafor"):
        sign_in_as(demo(outsider))
        assert client.get(f"/plans/{plan.id}/plan.pdf").status_code == 404
        assert client.get(f"/plans/{plan.id}/my-plan.pdf").status_code == 404


def test_the_plan_page_offers_its_pdfs_and_prints_cleanly(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Alex Taylor"))
    page = client.get(f"/plans/{plan.id}").text
    assert f'href="/plans/{plan.id}/plan.pdf"' in page
    assert f'href="/plans/{plan.id}/plan.pdf?version=1"' in page
    css = client.get(re.findall(r'href="(/static/[^"]+\.css(?:\?v=[0-9a-f]+)?)"', page)[0]).text
    printed = css.split("@media print", 1)[1]
    for hidden in (".govuk-header", "form", ".govuk-button", ".oneplan-no-print"):
        assert hidden in printed
    assert "attr(href)" in printed


def test_my_plan_reads_easily_as_a_page_and_as_a_pdf(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, tmp_path: Path
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Sam Taylor"))
    page = client.get(f"/plans/{plan.id}/my-plan")
    assert page.status_code == 200
    check_page(page.text)
    text = text_of(page.text)
    for heading in ("What I said", "What my team will do", "Who helps me", "When we next talk"):
        assert heading in text
    assert "I like drawing dragons. This is my dragon." in text
    assert re.search(r"Priya Shah ?, from school", text)
    own = re.sub(r"<q class=\"oneplan-team-words\">.*?</q>", " ", page.text, flags=re.S)  # the team's words
    assert textstat.flesch_reading_ease(readable_words(own)) >= 80
    document = get_pdf(client, f"/plans/{plan.id}/my-plan.pdf")
    printed = words(pdf_text(document, tmp_path, "my-plan"))
    assert "My plan: Sam" in printed
    assert "I like drawing dragons. This is my dragon." in printed
    page_one_image(document, tmp_path, "my-plan-page-1")


def test_my_plan_marks_a_view_shared_with_a_few_with_who_can_see_it_for_each_of_them(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, tmp_path: Path
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    marks = {
        "Sam Taylor": "Only you, Alex, your mum, dad or carer and Tom Baker, from your school can see this.",
        "Alex Taylor": "Only you, Sam Taylor (child or young person) and Tom Baker (education) can see this.",
    }
    for reader, mark in marks.items():
        sign_in_as(demo(reader))
        page = text_of(client.get(f"/plans/{plan.id}/my-plan").text)
        assert f"{HIDDEN_VIEW} {mark}" in " ".join(page.split()), reader
        assert page.count("can see this.") == 1, reader  # views for everyone carry no mark
        printed = words(pdf_text(get_pdf(client, f"/plans/{plan.id}/my-plan.pdf"), tmp_path, "mine"))
        assert words(f"{HIDDEN_VIEW} {mark}") in printed, reader
    sign_in_as(demo("Priya Shah"))  # not one of its readers: neither the view nor its mark
    page = text_of(client.get(f"/plans/{plan.id}/my-plan").text)
    assert HIDDEN_VIEW not in page
    assert "can see this." not in page


def test_each_version_is_offered_once_as_a_pdf(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn
) -> None:
    """An issued plan's current version is frozen too: it was offered twice ("version 1; version 1")."""
    ella = plan_of(db_session, "Ella Morris")
    sign_in_as(demo("Morgan Price"))
    links = text_of(client.get(f"/plans/{ella.id}").text)
    assert ella.version == 1
    assert "Download this plan as a PDF (version 1)" in links
    assert "version 1; version 1" not in links
    sam = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Alex Taylor"))
    page = client.get(f"/plans/{sam.id}").text
    offered = rf"Download this plan as a PDF \(version {sam.version}; earlier: version 1 ?\)"
    assert re.search(offered, text_of(page))
    assert page.count(f'href="/plans/{sam.id}/plan.pdf?version=1"') == 1


def test_an_issued_plan_prints_as_issued(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, tmp_path: Path
) -> None:
    plan = plan_of(db_session, "Ella Morris")
    sign_in_as(demo("Ella Morris"))
    text = words(pdf_text(get_pdf(client, f"/plans/{plan.id}/plan.pdf"), tmp_path, "ella"))
    assert plan.status == "issued"
    assert f"Version {plan.version}, issued" in text
    assert "still being written" not in text


# Every script -----------------------------------------------------------------------------------------

WRITTEN_IN = {
    "Welsh": ("Liberation-Sans", "Mae'r ŵyn yn y cae ac mae'r tŷ yn gynnes."),
    "Polish": ("Liberation-Sans", "Lubię rysować smoki. Zażółć gęślą jaźń."),
    "Urdu": ("Noto-Naskh-Arabic", "مجھے ڈرائنگ کرنا پسند ہے۔"),  # noqa: RUF001 (Urdu's full stop)
    # No full stop: pdftotext reads every line left to right, so a neutral "." that ends a line
    # written right to left (where it is printed, on the left) comes back before the words.
    "Arabic": ("Noto-Naskh-Arabic", "أحب الرسم والقراءة"),
    "Bengali": ("Noto-Sans-Bengali", "আমি ছবি আঁকতে পছন্দ করি।"),
    "Chinese": ("Noto-Sans-CJK-SC", "我喜欢画龙。"),
    "emoji": ("Noto-Color-Emoji", "🐉😀👍🏽🏴󠁧󠁢󠁷󠁬󠁳󠁿"),
}
"""A view in each script families in England write in, and the font (of paper.css) that prints it."""

BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_fonts(document: bytes, folder: Path) -> list[dict[str, str]]:
    """A PDF's fonts as poppler's `pdffonts` lists them: name (less its subset tag), encoding, embedded."""
    path = folder / "fonts.pdf"
    path.write_bytes(document)
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    fonts = []
    for line in lines.splitlines()[2:]:
        name, *middle, embedded, _subset, _unicode, _object, _generation = line.split()
        fonts.append({"name": name.split("+", 1)[-1], "encoding": middle[-1], "embedded": embedded})
    return fonts


def test_a_view_in_each_script_prints_in_its_font_and_its_words_come_back(
    client: TestClient,
    db_session: Session,
    demo: Demo,
    sign_in_as: SignIn,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    plan = plan_of(db_session, "Sam Taylor")
    sign_in_as(demo("Alex Taylor"))
    before = pdf_fonts(get_pdf(client, f"/plans/{plan.id}/plan.pdf"), tmp_path)
    # Words in English print in one font, digits and spaces too (no colour emoji font for "2026").
    assert {font["name"] for font in before} == {"Liberation-Sans", "Liberation-Sans-Bold"}
    sam = demo("Sam Taylor")
    access = plan_access(db_session, Actor.command(sam), plan.id or 0)
    for _font, text in WRITTEN_IN.values():
        views.add_view(db_session, Actor.command(sam), access, views.NewView(text=text))
    db_session.flush()
    for reader, address in (("Alex Taylor", "plan.pdf"), ("Sam Taylor", "my-plan.pdf")):
        sign_in_as(demo(reader))
        with caplog.at_level(logging.WARNING, logger="weasyprint"):
            document = get_pdf(client, f"/plans/{plan.id}/{address}")
        # WeasyPrint draws .notdef (an empty box) only for a character no font has, and says so.
        assert ".notdef" not in caplog.text
        fonts = pdf_fonts(document, tmp_path)
        # A font that had to draw .notdef carries its own ("Custom") encoding; these are all whole.
        assert all(font["embedded"] == "yes" and font["encoding"] == "Identity-H" for font in fonts), fonts
        text = BIDI_CONTROLS.sub("", pdf_text(document, tmp_path, address))
        for script, (font, written) in WRITTEN_IN.items():
            assert font in {font["name"] for font in fonts}, script
            if script == "Bengali":
                # pdftotext puts a space between Bengali letters it finds far apart; the letters are these.
                assert "".join(written.split()) in "".join(text.split()), script
            else:
                assert written in text, script
