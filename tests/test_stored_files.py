"""Uploaded files are kept one way (app.services.stored_files): a view's pictures and advice's reports
alike are opened only by a name OnePlan gave, in their own folder, of a kind that folder keeps."""

from pathlib import Path

import pytest

from app.services.timelines import advice_files
from app.services.voices import pictures


def test_a_stored_file_is_found_only_by_a_name_oneplan_gave_it(tmp_path: Path) -> None:
    name = advice_files.STORE.store(tmp_path, "pdf", b"%PDF-1.4 report")
    assert advice_files.STORE.stored_bytes(tmp_path, name) == b"%PDF-1.4 report"
    assert (tmp_path / "advice" / name).is_file()
    for chosen_outside in ("../advice/" + name, "report.pdf", name.replace(".pdf", ".exe")):
        assert advice_files.STORE.stored_bytes(tmp_path, chosen_outside) is None


def test_each_folder_keeps_only_its_own_kinds(tmp_path: Path) -> None:
    report = advice_files.STORE.store(tmp_path, "pdf", b"%PDF-1.4 report")
    assert pictures.STORE.stored_path(tmp_path, report) is None  # no PDF among the pictures
    with pytest.raises(ValueError, match=r"pictures/ keeps no \.pdf files"):
        pictures.STORE.new_name("pdf")
