"""A plan's export is signed: an imported audit trail cannot be forged (security finding 6).

Each test here failed before signed exports: an event edited with its hash recomputed, and a trail
with 30 events removed and the rest re-linked, were imported, and `oneplan audit verify` passed.
"""

import base64
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from app.actor import Actor
from app.config import ImportSignatures, Settings
from app.models import AuditEvent
from app.services.audit import GENESIS_HASH, hash_of
from app.services.paper import transfer
from app.services.paper.transfer import signing
from tests.test_plan_pages import plan_of
from tests.test_voices import Demo, SignIn

Files = dict[str, bytes]
"""A zip's entries by name."""

OTHER_COUNCIL = "https://oneplan.westshire.example"


def files_of(data: bytes) -> Files:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(files: Files) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def document_of(files: Files) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(files["export.json"])
    return document


def with_document(files: Files, document: dict[str, Any]) -> Files:
    return {**files, "export.json": json.dumps(document, indent=1, sort_keys=True).encode()}


def unsigned(files: Files) -> Files:
    return {name: data for name, data in files.items() if name not in (signing.MANIFEST, signing.SIGNATURE)}


def new_key() -> str:
    return base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()


def public_key_of(private_key: str) -> str:
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    return base64.b64encode(signing.raw_public_key(key.public_key())).decode()


def signed_by(private_key: str, files: Files) -> Files:
    """The files signed afresh, as another OnePlan (or a forger) with this key would sign them."""
    signer = Settings(audit_signing_key=private_key, public_url=OTHER_COUNCIL)
    trails = document_of(files)["audit"]["trails"]
    return signing.signed_files(signer, unsigned(files), trails)


def relinked(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events numbered 1, 2, 3... and each linked to the one before, every hash recomputed."""
    out, last_hash = [], GENESIS_HASH
    for sequence, event in enumerate(events, start=1):
        fields = {**{name: value for name, value in event.items() if name != "hash"}}
        fields.update(sequence=sequence, prev_hash=last_hash)
        last_hash = hash_of(fields)
        out.append({**fields, "hash": last_hash})
    return out


@pytest.fixture
def sams_export(client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn) -> Files:
    """Sam's plan as Tom Baker exports it from this OnePlan (the council's form: the whole trail)."""
    sign_in_as(demo("Tom Baker"))
    answer = client.get(f"/plans/{plan_of(db_session, 'Sam Taylor').id}/export.zip")
    assert answer.status_code == 200
    client.cookies.clear()
    files = files_of(answer.content)
    assert {signing.MANIFEST, signing.SIGNATURE} <= set(files)
    return files


Importer = Callable[..., transfer.Imported]


@pytest.fixture
def import_as_morgan(db_session: Session, demo: Demo, settings: Settings) -> Importer:
    """Morgan Price, a council officer, imports a file; settings as given on top of the test's."""

    def run(files: Files, **changes: Any) -> transfer.Imported:
        council = settings.model_copy(update=changes)
        return transfer.import_export(db_session, council, Actor.command(demo("Morgan Price")), zip_of(files))

    return run


def imported_event(db: Session) -> AuditEvent:
    event = db.exec(
        select(AuditEvent)
        .where(col(AuditEvent.action) == "plan.imported")
        .order_by(col(AuditEvent.id).desc())
    ).first()
    assert event is not None
    return event


def test_this_oneplans_own_export_comes_back_signed_by_a_key_it_trusts(
    sams_export: Files, import_as_morgan: Importer, db_session: Session, settings: Settings
) -> None:
    manifest = json.loads(sams_export[signing.MANIFEST])
    assert set(manifest["files"]) == set(sams_export) - {signing.MANIFEST, signing.SIGNATURE}
    imported = import_as_morgan(sams_export, import_signatures=ImportSignatures.TRUSTED)
    assert imported.signature.trust is transfer.Trust.TRUSTED
    assert "a key this council trusts" in imported.signature.describe()
    details = imported_event(db_session).details
    assert details["signature"] == "trusted"
    assert details["signing_key"] == signing.fingerprint(base64.b64decode(manifest["public_key"]))


def test_an_edited_event_inside_an_otherwise_valid_export_is_refused(
    sams_export: Files, import_as_morgan: Importer
) -> None:
    document = document_of(sams_export)
    events = document["audit"]["trails"][-1]["events"]
    # An event whose successor is the next in the chain: its link can be checked inside the trail.
    at = next(n for n in range(len(events) - 1) if events[n + 1]["sequence"] == events[n]["sequence"] + 1)
    edited = {**events[at], "action": "item.removed"}
    events[at] = {**edited, "hash": hash_of({k: v for k, v in edited.items() if k != "hash"})}
    forged = with_document(sams_export, document)

    with pytest.raises(
        transfer.ImportProblem, match=re.escape("export.json is not the file that was signed")
    ):
        import_as_morgan(forged)
    # Signed again by the forger's own key, or with no signature at all: the broken link tells.
    link = f"event {events[at + 1]['sequence']} is not linked to event {events[at]['sequence']}"
    with pytest.raises(transfer.ImportProblem, match=link):
        import_as_morgan(signed_by(new_key(), forged))
    with pytest.raises(transfer.ImportProblem, match=link):
        import_as_morgan(unsigned(forged))


def test_thirty_events_removed_and_relinked_are_refused_because_the_signature_no_longer_matches(
    sams_export: Files, import_as_morgan: Importer, db_session: Session
) -> None:
    document = document_of(sams_export)
    trail = document["audit"]["trails"][-1]
    assert len(trail["events"]) > 40
    events = relinked(trail["events"][:5] + trail["events"][35:])
    document["audit"]["trails"][-1] = {**trail, "events": events, "digest": transfer.trail_digest(events)}
    assert transfer.verify_trail(events) is None  # every hash and link checks out on its own
    forged = with_document(sams_export, document)

    with pytest.raises(
        transfer.ImportProblem, match=re.escape("export.json is not the file that was signed")
    ):
        import_as_morgan(forged)
    manifest = json.loads(forged[signing.MANIFEST])
    manifest["files"]["export.json"] = hashlib.sha256(forged["export.json"]).hexdigest()
    with pytest.raises(transfer.ImportProblem, match="signature does not match its manifest"):
        import_as_morgan(
            {**forged, signing.MANIFEST: json.dumps(manifest, indent=1, sort_keys=True).encode()}
        )
    # Without a signature, a council that asks for one refuses it too.
    with pytest.raises(transfer.ImportProblem, match="not signed"):
        import_as_morgan(unsigned(forged), import_signatures=ImportSignatures.REQUIRED)
    assert (
        db_session.exec(select(AuditEvent).where(col(AuditEvent.action) == "plan.imported")).first() is None
    )


def test_an_export_signed_by_a_key_the_council_does_not_trust_is_reported_untrusted(
    sams_export: Files, import_as_morgan: Importer, db_session: Session
) -> None:
    key = new_key()
    resigned = signed_by(key, sams_export)
    fingerprint = signing.fingerprint(base64.b64decode(public_key_of(key)))

    with pytest.raises(transfer.ImportProblem, match="signed by a key this council does not trust"):
        import_as_morgan(resigned, import_signatures=ImportSignatures.TRUSTED)
    imported = import_as_morgan(resigned)  # ONEPLAN_IMPORT_SIGNATURES=optional: in, with a warning
    assert imported.signature.trust is transfer.Trust.UNTRUSTED
    assert "Warning: signed by a key this council does not trust" in imported.signature.describe()
    assert signing.spaced(fingerprint) in imported.signature.describe()
    details = imported_event(db_session).details
    assert (details["signature"], details["signing_key"]) == ("untrusted", fingerprint)


def test_an_export_signed_by_a_trusted_councils_key_is_accepted_and_recorded_as_trusted(
    sams_export: Files, import_as_morgan: Importer, db_session: Session
) -> None:
    key = new_key()
    trusted = f"{public_key_of(new_key())}, {public_key_of(key)}"
    imported = import_as_morgan(
        signed_by(key, sams_export), trusted_export_keys=trusted, import_signatures=ImportSignatures.TRUSTED
    )
    assert imported.signature.trust is transfer.Trust.TRUSTED
    assert OTHER_COUNCIL in imported.signature.describe()
    details = imported_event(db_session).details
    assert details["signature"] == "trusted"
    assert details["signing_key"] == signing.fingerprint(base64.b64decode(public_key_of(key)))


def test_a_file_swapped_added_or_removed_in_the_zip_is_refused(
    sams_export: Files, import_as_morgan: Importer
) -> None:
    picture = next(name for name in sams_export if name.startswith("pictures/"))
    swapped = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(swapped, format="PNG")
    with pytest.raises(transfer.ImportProblem, match=re.escape(f"{picture} is not the file that was signed")):
        import_as_morgan({**sams_export, picture: swapped.getvalue()})
    with pytest.raises(
        transfer.ImportProblem, match=re.escape("pictures/extra.png is in the zip but not in the export's")
    ):
        import_as_morgan({**sams_export, "pictures/extra.png": swapped.getvalue()})
    with pytest.raises(
        transfer.ImportProblem, match=re.escape(f"{picture} is in the export's signed manifest but not")
    ):
        import_as_morgan({name: data for name, data in sams_export.items() if name != picture})
    with pytest.raises(transfer.ImportProblem, match=re.escape("holds no manifest.sig")):
        import_as_morgan({name: data for name, data in sams_export.items() if name != signing.SIGNATURE})


def test_an_unsigned_export_from_before_signing_still_imports_marked_unsigned(
    sams_export: Files, import_as_morgan: Importer, db_session: Session, sequencer: Callable[[], int]
) -> None:
    legacy = unsigned(sams_export)
    with pytest.raises(transfer.ImportProblem, match="imports only signed exports"):
        import_as_morgan(legacy, import_signatures=ImportSignatures.TRUSTED)
    imported = import_as_morgan(legacy)
    assert imported.signature.trust is transfer.Trust.UNSIGNED
    assert "not signed" in imported.signature.describe()
    details = imported_event(db_session).details
    assert (details["signature"], details["signing_key"]) == ("unsigned", None)
    sequencer()
    assert transfer.verify_imported_trails(db_session) == []


def test_a_familys_export_says_why_it_cannot_be_imported(
    client: TestClient, db_session: Session, demo: Demo, sign_in_as: SignIn, import_as_morgan: Importer
) -> None:
    sign_in_as(demo("Alex Taylor"))
    answer = client.get(f"/plans/{plan_of(db_session, 'Sam Taylor').id}/export.zip")
    assert answer.status_code == 200
    client.cookies.clear()
    with pytest.raises(
        transfer.ImportProblem, match="made for a family and leaves out parts of the audit trail"
    ):
        import_as_morgan(files_of(answer.content))
    # Signed again by a key this council does not trust: still the reason that matters.
    with pytest.raises(transfer.ImportProblem, match="made for a family"):
        import_as_morgan(
            signed_by(new_key(), files_of(answer.content)), import_signatures=ImportSignatures.TRUSTED
        )


def test_production_imports_only_exports_signed_by_a_trusted_key_by_default() -> None:
    production = Settings(environment="production", secret_key="a-production-secret-of-its-own-0123456789")
    assert production.resolved_import_signatures is ImportSignatures.TRUSTED
    assert Settings().resolved_import_signatures is ImportSignatures.OPTIONAL
    with pytest.raises(ValueError, match="is not an Ed25519 public key"):
        Settings(trusted_export_keys="not-a-key")
