"""A plan file from outside is hostile until checked: nothing in it is a path, and it is read within limits.

Each test here failed before its fix (security probe of main 023b51d, issue 22 findings 1 and 10).
"""

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from app.actor import Actor
from app.config import Settings
from app.models import Plan, ViewPicture
from app.services import stored_files
from app.services.paper import transfer
from app.services.voices import pictures as picture_store
from tests.test_plan_pages import plan_of
from tests.test_transfer import export_of
from tests.test_voices import Demo, SignIn

Export = tuple[dict[str, Any], dict[str, bytes]]


def png_of(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


def zip_of(document: dict[str, Any], entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", json.dumps(document))
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def sams_export(client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn) -> Export:
    """Sam's plan as Tom Baker exports it (a family's copy has no trail to import): the document and
    its pictures by zip entry name."""
    sign_in_as(demo("Tom Baker"))
    document, archive = export_of(client, plan_of(db_session, "Sam Taylor").id or 0)
    client.cookies.clear()
    entries = {name: archive.read(name) for name in archive.namelist() if name.startswith("pictures/")}
    assert document["tables"]["view_picture"]
    assert entries
    return document, entries


@pytest.fixture
def import_as_morgan(db_session: Session, demo: Demo, settings: Settings) -> Callable[[bytes], Plan]:
    def run(data: bytes) -> Plan:
        return transfer.import_plan(db_session, settings, Actor.command(demo("Morgan Price")), data)

    return run


def imported_pictures(db: Session, plan: Plan) -> list[ViewPicture]:
    return list(db.exec(select(ViewPicture).where(col(ViewPicture.plan_id) == plan.id)))


def test_a_picture_named_outside_the_pictures_folder_is_stored_inside_it_under_a_new_name(
    sams_export: Export, import_as_morgan: Callable[[bytes], Plan], db_session: Session, settings: Settings
) -> None:
    document, _entries = sams_export
    document["tables"]["view_picture"][0]["file_name"] = "../../escaped.png"
    escaped = (settings.data_dir / "pictures" / "../../escaped.png").resolve()
    plan = import_as_morgan(zip_of(document, {"pictures/../../escaped.png": png_of("red")}))
    assert not escaped.exists()
    kept = imported_pictures(db_session, plan)
    assert kept
    for picture in kept:
        assert stored_files.STORED_NAME.fullmatch(picture.file_name), picture.file_name
    red = [
        picture for picture in kept if picture_store.STORE.stored_bytes(settings.data_dir, picture.file_name)
    ]
    assert red, "the picture in the zip is kept, under a name OnePlan chose"


def test_an_import_that_fails_writes_no_picture_anywhere(
    sams_export: Export, import_as_morgan: Callable[[bytes], Plan], settings: Settings
) -> None:
    document, _entries = sams_export
    document["tables"]["view_picture"][0]["file_name"] = "../../escaped-then-failed.png"
    document["tables"]["item"][-1]["plan_id"] = "plan:99"  # a broken reference, after the picture
    before = set((settings.data_dir / "pictures").iterdir())
    with pytest.raises(transfer.ImportProblem, match="does not hold together"):
        import_as_morgan(zip_of(document, {"pictures/../../escaped-then-failed.png": png_of("red")}))
    assert not (settings.data_dir / "pictures" / "../../escaped-then-failed.png").resolve().exists()
    assert set((settings.data_dir / "pictures").iterdir()) == before


def test_a_picture_cannot_replace_another_plans_drawing(
    sams_export: Export, import_as_morgan: Callable[[bytes], Plan], db_session: Session, settings: Settings
) -> None:
    sams = db_session.exec(
        select(ViewPicture).where(col(ViewPicture.plan_id) == plan_of(db_session, "Sam Taylor").id)
    ).first()
    assert sams is not None
    original = picture_store.STORE.stored_bytes(settings.data_dir, sams.file_name)
    assert original is not None
    document, _entries = sams_export
    document["tables"]["view_picture"][0]["file_name"] = f"./{sams.file_name}"
    import_as_morgan(zip_of(document, {f"pictures/./{sams.file_name}": png_of("red")}))
    assert picture_store.STORE.stored_bytes(settings.data_dir, sams.file_name) == original


@pytest.mark.parametrize("named", ["/etc/passwd", "../oneplan.db", "/proc/self/environ"])
def test_a_row_naming_a_file_of_the_server_is_never_served(
    named: str,
    sams_export: Export,
    import_as_morgan: Callable[[bytes], Plan],
    db_session: Session,
    client: TestClient,
    demo: Demo,
    sign_in_as: SignIn,
) -> None:
    document, _entries = sams_export
    for row in document["tables"]["view_picture"]:
        row["file_name"] = named
    plan = import_as_morgan(zip_of(document, {}))
    db_session.flush()
    sign_in_as(demo("Rita Okafor"))  # the council's audit officer may see every Northshire plan
    for picture in imported_pictures(db_session, plan):
        answer = client.get(f"/plans/{plan.id}/pictures/{picture.id}")
        assert answer.status_code == 404
        assert b"root:" not in answer.content


def test_a_stored_row_with_a_path_for_a_name_is_never_opened(
    db_session: Session, client: TestClient, demo: Demo, sign_in_as: SignIn, settings: Settings
) -> None:
    """Rows imported before the fix may still name paths: reading goes by OnePlan's own names only."""
    plan = plan_of(db_session, "Sam Taylor")
    picture = db_session.exec(select(ViewPicture).where(col(ViewPicture.plan_id) == plan.id)).first()
    assert picture is not None
    outside = settings.data_dir / "outside.png"
    outside.write_bytes(png_of("red"))
    picture.file_name = "../outside.png"
    db_session.add(picture)
    db_session.flush()
    sign_in_as(demo("Alex Taylor"))
    assert client.get(f"/plans/{plan.id}/pictures/{picture.id}").status_code == 404
    assert client.get(f"/api/v1/plans/{plan.id}/pictures/{picture.id}").status_code == 404


def test_a_picture_that_is_not_a_picture_refuses_the_import(
    sams_export: Export, import_as_morgan: Callable[[bytes], Plan]
) -> None:
    document, entries = sams_export
    first = document["tables"]["view_picture"][0]["file_name"]
    with pytest.raises(transfer.ImportProblem, match="picture in the export cannot be kept"):
        import_as_morgan(zip_of(document, {**entries, f"pictures/{first}": b"root:x:0:0:root:/root:/bin/sh"}))


def test_a_zip_bomb_is_stopped_before_it_is_unpacked(import_as_morgan: Callable[[bytes], Plan]) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.json", b"{" + b" " * (40 * 1024 * 1024) + b"}")
    assert len(out.getvalue()) < 200_000
    with pytest.raises(transfer.ImportProblem, match="zip bomb"):
        import_as_morgan(out.getvalue())


def test_a_zip_with_too_many_files_is_refused(import_as_morgan: Callable[[bytes], Plan]) -> None:
    entries = {f"pictures/{number}.png": b"" for number in range(transfer.MAX_ENTRIES + 1)}
    with pytest.raises(transfer.ImportProblem, match="more files than an export can"):
        import_as_morgan(zip_of({"format": transfer.FORMAT}, entries))


def test_a_document_too_large_is_refused_unread(
    import_as_morgan: Callable[[bytes], Plan], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer.importing, "MAX_DOCUMENT_BYTES", 1000)
    big = json.dumps({"format": transfer.FORMAT, "padding": "x" * 2000}).encode()
    with pytest.raises(transfer.ImportProblem, match="larger than an export can be"):
        import_as_morgan(big)
    with pytest.raises(transfer.ImportProblem, match="larger than an export can be"):
        import_as_morgan(zip_of({"format": transfer.FORMAT, "padding": "x" * 2000}, {}))


def test_a_broken_reference_is_a_clear_refusal_not_a_traceback(
    sams_export: Export, import_as_morgan: Callable[[bytes], Plan]
) -> None:
    document, entries = sams_export
    document["tables"]["item_revision"][0]["item_id"] = "item:9999"
    refusal = r"does not hold together \(nothing called 'item:9999'\)"
    with pytest.raises(transfer.ImportProblem, match=refusal):
        import_as_morgan(zip_of(document, entries))


def test_an_import_cannot_bring_in_an_administrator(
    sams_export: Export, import_as_morgan: Callable[[bytes], Plan]
) -> None:
    document, entries = sams_export
    document["people"][0]["role"] = "administrator"
    with pytest.raises(transfer.ImportProblem, match="administrator"):
        import_as_morgan(zip_of(document, entries))


def test_a_file_that_is_not_an_export_says_so(import_as_morgan: Callable[[bytes], Plan]) -> None:
    with pytest.raises(transfer.ImportProblem, match="not JSON"):
        import_as_morgan(b"\xff\xfe not json")
    with pytest.raises(transfer.ImportProblem, match="damaged"):
        import_as_morgan(b"PK\x03\x04 truncated")
