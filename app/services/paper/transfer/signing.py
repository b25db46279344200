"""Signed exports: a manifest of every file in the zip, signed with the exporting OnePlan's audit key.

A plan's audit trail travels inside `export.json`; on its own, each event's hash proves nothing
about the trail as a whole (anyone can drop events and recompute the hashes). So the zip also holds
`manifest.json` (the SHA-256 of every other file in it, the trails' digests, and the public key) and
`manifest.sig` (the Ed25519 signature of the manifest's bytes, in base64), made with the key that
signs this OnePlan's audit checkpoints (`app.services.audit.integrity.signing_key`).

A valid signature shows the zip is as its key's holder made it; only a key the council trusts
(`ONEPLAN_TRUSTED_EXPORT_KEYS`, and this OnePlan's own) shows who that was. What an import accepts
is `ONEPLAN_IMPORT_SIGNATURES`: `optional` (unsigned and untrusted exports come in, marked so),
`required` (a valid signature from any key), or `trusted` (a trusted key only: production's default).
"""

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.config import ImportSignatures, Settings
from app.services.audit import integrity
from app.services.paper.transfer.problems import ImportProblem

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MANIFEST_FORMAT = "oneplan-export-manifest"
MANIFEST_VERSION = 1
ALGORITHM = "Ed25519"
MAX_MANIFEST_BYTES = 1024 * 1024
"""The manifest names at most 2,000 files: a few hundred kilobytes."""


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def fingerprint(raw_key: bytes) -> str:
    """What people compare when they agree a key: the SHA-256 of its 32 raw bytes, in hex."""
    return hashlib.sha256(raw_key).hexdigest()


def spaced(key_fingerprint: str) -> str:
    """A fingerprint in groups of four, to read out over the telephone."""
    return " ".join(key_fingerprint[start : start + 4] for start in range(0, len(key_fingerprint), 4))


def signed_files(
    settings: Settings, files: dict[str, bytes], trails: list[dict[str, Any]]
) -> dict[str, bytes]:
    """The files with the manifest and its signature added (the files themselves unchanged)."""
    key: Ed25519PrivateKey = integrity.signing_key(settings)
    manifest = {
        "format": MANIFEST_FORMAT,
        "format_version": MANIFEST_VERSION,
        "source": settings.public_url,
        "algorithm": ALGORITHM,
        "public_key": base64.b64encode(raw_public_key(key.public_key())).decode(),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
        "trails": [
            {"source": trail["source"], "digest": trail["digest"], "redacted": bool(trail.get("redacted"))}
            for trail in trails
        ],
    }
    manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode()
    signature = base64.b64encode(key.sign(manifest_bytes))
    return {**files, MANIFEST: manifest_bytes, SIGNATURE: signature}


class Trust(StrEnum):
    TRUSTED = "trusted"
    UNTRUSTED = "untrusted"
    UNSIGNED = "unsigned"


@dataclass(frozen=True)
class SignatureCheck:
    """What an import found about who made the export."""

    trust: Trust
    key_fingerprint: str | None = None
    signed_by: str = ""
    """The OnePlan the manifest names as its source (as the signer says)."""

    def describe(self) -> str:
        """One sentence for the person importing."""
        if self.trust is Trust.UNSIGNED:
            return (
                "Warning: this export is not signed (made before OnePlan signed its exports), "
                "so nothing shows that its audit trail is whole. It is recorded as unsigned."
            )
        key = spaced(self.key_fingerprint or "")
        if self.trust is Trust.TRUSTED:
            return f"Signed by a key this council trusts ({self.signed_by}, key {key})."
        return (
            f"Warning: signed by a key this council does not trust (key {key}, which says it is "
            f"{self.signed_by}). The signature shows the file was not changed after it was signed, "
            "not who signed it: check the key with the council it came from. It is recorded as untrusted."
        )


def trusted_keys(settings: Settings) -> set[bytes]:
    """The configured keys, and this OnePlan's own (a plan may come back)."""
    own = raw_public_key(integrity.signing_key(settings).public_key())
    return {own, *settings.trusted_export_key_bytes}


def _decoded(text: object, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip() if isinstance(text, bytes) else str(text), validate=True)
    except (binascii.Error, ValueError):
        raise ImportProblem(f"The export's {what} is not base64") from None


def checked_signature(
    settings: Settings, files: dict[str, bytes], manifest: bytes | None, signature: bytes | None
) -> SignatureCheck:
    """Check the manifest's signature and every file against it; whose key signed it.

    Refused: a manifest without a signature or the other way round, a signature that does not match
    the manifest, a file missing from the manifest or not the file it names, or a missing file.
    Whether an unsigned or untrusted export may come in is `check_allowed`'s question.
    """
    if manifest is None and signature is None:
        return SignatureCheck(Trust.UNSIGNED)
    if manifest is None or signature is None:
        missing = MANIFEST if manifest is None else SIGNATURE
        raise ImportProblem(f"The export's signature is incomplete: the zip holds no {missing}")
    try:
        content = json.loads(manifest)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ImportProblem(f"{MANIFEST} is not JSON") from None
    if (
        not isinstance(content, dict)
        or content.get("format") != MANIFEST_FORMAT
        or content.get("format_version") != MANIFEST_VERSION
        or content.get("algorithm") != ALGORITHM
        or not isinstance(content.get("files"), dict)
    ):
        raise ImportProblem(f"{MANIFEST} is not a {MANIFEST_FORMAT} of version {MANIFEST_VERSION}")
    raw_key = _decoded(content.get("public_key"), "public key")
    if len(raw_key) != 32:
        raise ImportProblem("The export's public key is not an Ed25519 key")
    try:
        Ed25519PublicKey.from_public_bytes(raw_key).verify(_decoded(signature, "signature"), manifest)
    except InvalidSignature:
        raise ImportProblem(
            "The export's signature does not match its manifest: the export was changed after it was signed"
        ) from None
    listed: dict[str, Any] = content["files"]
    for name, data in sorted(files.items()):
        if name not in listed:
            raise ImportProblem(f"{name} is in the zip but not in the export's signed manifest: it was added")
        if hashlib.sha256(data).hexdigest() != listed[name]:
            raise ImportProblem(
                f"{name} is not the file that was signed: it was changed or swapped after the export was made"
            )
    for name in sorted(set(listed) - set(files)):
        raise ImportProblem(f"{name} is in the export's signed manifest but not in the zip: it was removed")
    key_fingerprint = fingerprint(raw_key)
    signed_by = str(content.get("source", ""))[:200]
    trust = Trust.TRUSTED if raw_key in trusted_keys(settings) else Trust.UNTRUSTED
    return SignatureCheck(trust, key_fingerprint, signed_by)


def check_allowed(settings: Settings, check: SignatureCheck) -> None:
    """Refuse an unsigned or untrusted export where the council's rule asks for more."""
    rule = settings.resolved_import_signatures
    if check.trust is Trust.UNSIGNED and rule is not ImportSignatures.OPTIONAL:
        raise ImportProblem(
            "This export is not signed, and this OnePlan imports only signed exports "
            f"(ONEPLAN_IMPORT_SIGNATURES={rule.value}): ask the council it came from for a new export"
        )
    if check.trust is Trust.UNTRUSTED and rule is ImportSignatures.TRUSTED:
        raise ImportProblem(
            "This export is signed by a key this council does not trust "
            f"(key {spaced(check.key_fingerprint or '')}, which says it is {check.signed_by}). If it came "
            "from a council you work with, check the key with them and add it to ONEPLAN_TRUSTED_EXPORT_KEYS"
        )
