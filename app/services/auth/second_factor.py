"""The second factor for staff who sign in with a local password: authenticator codes (TOTP, RFC 6238)
and single-use recovery codes.

Staff who sign in through single sign-on get theirs from their identity provider; families and
children are not asked. Completing the second factor always ends the half-signed-in session and
starts a new one, so that a session id seen before the second factor is worth nothing after it.
Audit events name people and rows by id, never a code or a key.
"""

import base64
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import NoReturn

import pyotp
import segno
from sqlmodel import Session, col, func, select

from app.actor import Actor
from app.config import Settings
from app.models import Outcome, Person, RecoveryCode, SignInAttempt, UserSession
from app.models.base import id_of, utc_now
from app.services import audit
from app.services.auth.secrets import digest
from app.services.auth.sessions import start_session
from app.services.auth.throttle import Throttled, check_throttle, note_attempt

ISSUER = "OnePlan"
CODE_DIGITS = 6
STEP_SECONDS = 30
ALLOWED_DRIFT_STEPS = 1
"""A code from the step before or after also counts: phone clocks drift and people type slowly."""
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""No 0/o, 1/i/l: nothing that reads as something else when written down."""
RECOVERY_GROUPS = 3
RECOVERY_GROUP_LENGTH = 4

WRONG_CODE = "The code is not correct. Enter the code that your authenticator app shows now"
MALFORMED_CODE = "Enter the code as 6 digits, like 123456"
USED_CODE = "That code has already been used. Wait for your app to show a new code, then enter it"
WRONG_RECOVERY_CODE = "That recovery code is not correct, or it has already been used"


class SecondFactorProblem(Exception):
    """A refusal to show beside the code field, in words the person can act on."""


@dataclass(frozen=True)
class SetUpDone:
    session_token: str
    recovery_codes: list[str]
    """Shown once: only their digests are kept."""


def is_set_up(person: Person) -> bool:
    """Whether the person has proved a code from an authenticator app."""
    return bool(person.totp_secret) and person.totp_confirmed_at is not None


# Setting up --------------------------------------------------------------------------------------


def set_up_key(settings: Settings, pending: UserSession) -> str:
    """The key offered while setting up, derived from this half-finished sign-in.

    It stays the same when the page is reloaded, nobody can choose it through the form, and it
    is stored only once the person proves a code made from it.
    """
    material = hmac.new(
        settings.secret_key.encode(),
        f"totp-set-up:{pending.person_id}:{pending.token_hash}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.b32encode(material[:20]).decode()


def provisioning_uri(person: Person, key: str) -> str:
    """The otpauth:// address that authenticator apps read from the QR code."""
    return pyotp.TOTP(key).provisioning_uri(name=person.email or f"person-{person.id}", issuer_name=ISSUER)


def key_in_groups(key: str) -> str:
    """The key as people type it: groups of four."""
    return " ".join(key[start : start + 4] for start in range(0, len(key), 4))


def qr_code_svg(text: str, title: str) -> str:
    """A QR code as inline SVG markup: attributes only, so the strict CSP allows it."""
    svg = segno.make(text, error="m").svg_inline(scale=5, title=title, light="#fff", dark="#000")
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def set_up(
    db: Session, settings: Settings, actor: Actor, pending: UserSession, person: Person, code: str
) -> SetUpDone:
    """Keep the key once the person proves a code from it, make recovery codes, finish signing in."""
    _check_pending(pending, person)
    if is_set_up(person):
        raise SecondFactorProblem("Your authenticator app is already set up. Enter a code from it.")
    key = set_up_key(settings, pending)
    _lock(db, person)
    _prove_code(db, settings, actor, person, key, code)
    person.totp_secret = key
    person.totp_confirmed_at = utc_now()
    db.add(person)
    codes = _replace_recovery_codes(db, person)
    token = _complete(
        db, actor, pending, person, "totp", action="second_factor.set_up", recovery_codes=len(codes)
    )
    return SetUpDone(token, codes)


# Signing in --------------------------------------------------------------------------------------


def complete_with_code(
    db: Session, settings: Settings, actor: Actor, pending: UserSession, person: Person, code: str
) -> str:
    """Check a code from the authenticator app; return the new, fully signed-in session's token."""
    _check_pending(pending, person)
    if not is_set_up(person) or person.totp_secret is None:
        raise SecondFactorProblem("Set up your authenticator app first.")
    _lock(db, person)
    _prove_code(db, settings, actor, person, person.totp_secret, code)
    return _complete(db, actor, pending, person, "totp")


def complete_with_recovery_code(
    db: Session, settings: Settings, actor: Actor, pending: UserSession, person: Person, code: str
) -> str:
    """Spend one recovery code instead of an authenticator code; return the new session's token."""
    _check_pending(pending, person)
    if not is_set_up(person):
        raise SecondFactorProblem("Set up your authenticator app first.")
    _lock(db, person)
    _check_not_throttled(db, settings, actor, person)
    recovery = db.exec(
        select(RecoveryCode).where(
            RecoveryCode.person_id == person.id,
            RecoveryCode.code_hash == digest(_canonical_recovery_code(code)),
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if recovery is None:
        _fail(db, settings, actor, person, "wrong recovery code", WRONG_RECOVERY_CODE)
    recovery.used_at = utc_now()
    db.add(recovery)
    note_attempt(db, settings, _throttle_account(person), actor.client_address, succeeded=True)
    return _complete(
        db,
        actor,
        pending,
        person,
        "recovery_code",
        recovery_code_id=recovery.id,
        recovery_codes_left=recovery_codes_left(db, person),
    )


# Recovery codes ----------------------------------------------------------------------------------


def recovery_codes_left(db: Session, person: Person) -> int:
    count: int = db.exec(
        select(func.count()).where(RecoveryCode.person_id == person.id, col(RecoveryCode.used_at).is_(None))
    ).one()
    return count


def renew_recovery_codes(db: Session, actor: Actor, person: Person) -> list[str]:
    """New codes for a signed-in member of staff; the old ones stop working. Shown once."""
    if not is_set_up(person):
        raise SecondFactorProblem("Set up your authenticator app before making recovery codes.")
    codes = _replace_recovery_codes(db, person)
    audit.record(
        db,
        actor,
        "recovery_codes.renewed",
        object_type="person",
        object_id=person.id,
        details={"count": len(codes)},
    )
    return codes


def _new_recovery_code() -> str:
    groups = (
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
        for _ in range(RECOVERY_GROUPS)
    )
    return "-".join(groups)


def _canonical_recovery_code(code: str) -> str:
    """Forgiving of case, spaces and dashes: people copy these from paper."""
    return re.sub(r"[^a-z0-9]", "", code.lower())


def _replace_recovery_codes(db: Session, person: Person) -> list[str]:
    for old in db.exec(select(RecoveryCode).where(RecoveryCode.person_id == person.id)):
        db.delete(old)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.add(RecoveryCode(person_id=id_of(person), code_hash=digest(_canonical_recovery_code(code))))
    db.flush()
    return codes


# Shared steps ------------------------------------------------------------------------------------


def _check_pending(pending: UserSession, person: Person) -> None:
    if pending.second_factor_done or pending.person_id != person.id or pending.ended_at is not None:
        raise ValueError("the second factor completes only its own half-finished sign-in")


def _lock(db: Session, person: Person) -> None:
    """Serialise second-factor attempts per person (PostgreSQL), so a code cannot be spent twice at once."""
    db.exec(select(Person.id).where(Person.id == person.id).with_for_update()).one()


def _throttle_account(person: Person) -> str:
    return f"second-factor:{person.id}"


def _used_step_key(person: Person, step: int) -> str:
    return f"totp-used:{person.id}:{step}"


def _check_not_throttled(db: Session, settings: Settings, actor: Actor, person: Person) -> None:
    try:
        check_throttle(db, settings, _throttle_account(person), actor.client_address)
    except Throttled as throttled:
        _audit_failure(db, actor, person, "throttled")
        raise SecondFactorProblem(throttled.message) from throttled


def _prove_code(db: Session, settings: Settings, actor: Actor, person: Person, key: str, code: str) -> None:
    """Accept a code from the current step or one either side, once only; count and audit failures."""
    _check_not_throttled(db, settings, actor, person)
    code = re.sub(r"[\s-]", "", code)
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", code):
        _fail(db, settings, actor, person, "malformed code", MALFORMED_CODE)
    totp = pyotp.TOTP(key, digits=CODE_DIGITS, interval=STEP_SECONDS)
    now = totp.timecode(time.time())
    matching = [
        step
        for step in range(now - ALLOWED_DRIFT_STEPS, now + ALLOWED_DRIFT_STEPS + 1)
        if hmac.compare_digest(totp.generate_otp(step), code)
    ]
    if not matching:
        _fail(db, settings, actor, person, "wrong code", WRONG_CODE)
    used = set(
        db.exec(
            select(SignInAttempt.throttle_key).where(
                col(SignInAttempt.throttle_key).in_([_used_step_key(person, step) for step in matching]),
                col(SignInAttempt.succeeded).is_(True),
            )
        )
    )
    fresh = [step for step in matching if _used_step_key(person, step) not in used]
    if not fresh:
        _fail(db, settings, actor, person, "code already used", USED_CODE)
    db.add(SignInAttempt(throttle_key=_used_step_key(person, fresh[0]), succeeded=True))
    note_attempt(db, settings, _throttle_account(person), actor.client_address, succeeded=True)


def _fail(
    db: Session, settings: Settings, actor: Actor, person: Person, reason: str, message: str
) -> NoReturn:
    note_attempt(db, settings, _throttle_account(person), actor.client_address, succeeded=False)
    _audit_failure(db, actor, person, reason)
    raise SecondFactorProblem(message)


def _audit_failure(db: Session, actor: Actor, person: Person, reason: str) -> None:
    audit.record(
        db,
        actor,
        "second_factor.failed",
        subject=person,
        object_type="person",
        object_id=person.id,
        outcome=Outcome.REFUSED,
        reason=reason,
    )


def _complete(
    db: Session,
    actor: Actor,
    pending: UserSession,
    person: Person,
    method: str,
    *,
    action: str = "second_factor.succeeded",
    **details: int | None,
) -> str:
    """Start the full session; the one event says how the second factor was proved."""
    token = start_session(
        db,
        person,
        pending.method,
        second_factor_done=True,
        client_address=actor.client_address,
        replaces=pending,
    )
    audit.record(
        db,
        actor,
        action,
        subject=person,
        object_type="person",
        object_id=person.id,
        details={"method": method, **details},
    )
    return token
