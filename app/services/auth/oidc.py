"""Single sign-on for staff by OpenID Connect (authorisation code flow with PKCE).

A member of staff signs in with their council's or trust's account and is matched, by an e-mail
address that their organisation has verified, to a person an administrator already invited:
signing in never creates anyone. Their organisation proves the second factor, so the session is
complete at once.

What must survive the trip to the identity provider (state, nonce, PKCE verifier, where to go
next) travels in a short-lived cookie that is encrypted and authenticated with the service's
secret (JWE, dir + A256GCM): the browser can neither read nor change it, and no server-side store
is needed. The ID token is checked here, not trusted: its signature against the provider's
published keys, then iss, aud (and azp), exp and iat, and the nonce bound to this browser.
"""

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwe, jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingAlgorithmError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import KeySet, OctKey
from sqlmodel import Session, select

from app.actor import Actor
from app.config import Settings
from app.models import Outcome, Person, SignInMethod, UserSession
from app.services import audit
from app.services.auth.oidc_refusals import Invalid, Refusal, SingleSignOnRefused
from app.services.auth.secrets import digest, same
from app.services.auth.sessions import start_session
from app.services.auth.sign_in import find_by_email

CALLBACK_PATH = "/sign-in/sso/callback"
COOKIE_NAME = "oneplan_sso"
COOKIE_PATH = "/sign-in/sso"
COOKIE_LIFETIME_SECONDS = 600
"""Long enough to type a password and answer a prompt at the provider; short enough to be useless later."""

SCOPE = "openid email"
CLOCK_LEEWAY_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 10.0
METADATA_LIFETIME_SECONDS = 3600
# Asymmetric signatures only: "none" and HS256 (keyed with the client secret) are refused.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
_COOKIE_ALGORITHMS = ("dir", "A256GCM")
MAX_SUBJECT_LENGTH = 255
"""Person.sso_subject holds "issuer|sub" in this many characters."""


# Refusals about who the person is (403); the others are about the exchange (400) or the provider (502).


@dataclass(frozen=True)
class Authorisation:
    """Where to send the browser, and the sealed cookie that the callback must bring back."""

    url: str
    cookie: str


@dataclass(frozen=True)
class SignedIn:
    person: Person
    session_token: str
    next: str


@dataclass(frozen=True)
class _Pending:
    state: str
    nonce: str
    code_verifier: str
    next: str


# --- The provider's metadata and keys, cached per address -------------------------------------------------

_metadata_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_keys_cache: dict[str, tuple[float, KeySet]] = {}


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise Invalid(Refusal.UNREACHABLE) from error
    if not isinstance(document, dict):
        raise Invalid(Refusal.UNREACHABLE)
    return document


def _issuer(settings: Settings) -> str:
    return settings.oidc_issuer.rstrip("/")


def provider_metadata(settings: Settings) -> dict[str, Any]:
    """The issuer's discovery document; it must name the configured issuer (OpenID Connect Discovery 4.3)."""
    issuer = _issuer(settings)
    cached = _metadata_cache.get(issuer)
    if cached and time.monotonic() - cached[0] < METADATA_LIFETIME_SECONDS:
        return cached[1]
    metadata = _get_json(f"{issuer}/.well-known/openid-configuration")
    endpoints = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    if str(metadata.get("issuer", "")).rstrip("/") != issuer or not all(
        isinstance(metadata.get(name), str) for name in endpoints
    ):
        raise Invalid(Refusal.UNREACHABLE)
    _metadata_cache[issuer] = (time.monotonic(), metadata)
    return metadata


def _signing_keys(jwks_uri: str, *, refresh: bool = False) -> KeySet:
    cached = _keys_cache.get(jwks_uri)
    if cached and not refresh and time.monotonic() - cached[0] < METADATA_LIFETIME_SECONDS:
        return cached[1]
    document = _get_json(jwks_uri)
    published = document.get("keys")
    listed = published if isinstance(published, list) else []
    usable = [key for key in listed if isinstance(key, dict) and key.get("use", "sig") == "sig"]
    try:
        keys = KeySet.import_key_set({"keys": usable})
    except (JoseError, ValueError, TypeError) as error:
        raise Invalid(Refusal.UNREACHABLE) from error
    _keys_cache[jwks_uri] = (time.monotonic(), keys)
    return keys


# --- The sealed cookie ----------------------------------------------------------------------------------


def _cookie_key(settings: Settings) -> OctKey:
    """A key for this purpose only, derived from the service's secret."""
    material = hmac.new(settings.secret_key.encode(), b"oneplan single sign-on cookie", hashlib.sha256)
    return OctKey.import_key(material.digest())


def _seal(settings: Settings, pending: _Pending) -> str:
    payload = {
        "state": pending.state,
        "nonce": pending.nonce,
        "code_verifier": pending.code_verifier,
        "next": pending.next,
        "expires": int(time.time()) + COOKIE_LIFETIME_SECONDS,
    }
    return jwe.encrypt_compact(
        {"alg": "dir", "enc": "A256GCM"},
        json.dumps(payload).encode(),
        _cookie_key(settings),
        algorithms=_COOKIE_ALGORITHMS,
    )


def _unseal(settings: Settings, sealed: str | None) -> _Pending:
    """The sign-in this browser started, unless it is missing, altered or too old."""
    if not sealed:
        raise Invalid(Refusal.NOT_STARTED)
    try:
        opened = jwe.decrypt_compact(sealed, _cookie_key(settings), algorithms=_COOKIE_ALGORITHMS)
        payload = json.loads(opened.plaintext or b"")
        pending = _Pending(
            state=str(payload["state"]),
            nonce=str(payload["nonce"]),
            code_verifier=str(payload["code_verifier"]),
            next=str(payload["next"]),
        )
        expires = int(payload["expires"])
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise Invalid(Refusal.NOT_STARTED) from error
    if expires < time.time():
        raise Invalid(Refusal.NOT_STARTED)
    return pending


# --- The flow -------------------------------------------------------------------------------------------


def redirect_uri(settings: Settings) -> str:
    return settings.public_url.rstrip("/") + CALLBACK_PATH


def _oauth_client(settings: Settings, metadata: Mapping[str, Any]) -> OAuth2Client:
    supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if not settings.oidc_client_secret:
        method = "none"
    elif "client_secret_basic" in supported:
        method = "client_secret_basic"
    else:
        method = "client_secret_post"
    return OAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        scope=SCOPE,
        redirect_uri=redirect_uri(settings),
        code_challenge_method="S256",
        token_endpoint_auth_method=method,
        timeout=HTTP_TIMEOUT_SECONDS,
        follow_redirects=False,
    )


def _refuse(db: Session, actor: Actor, invalid: Invalid) -> SingleSignOnRefused:
    audit.record(
        db,
        actor,
        "sign_in.failed",
        subject=invalid.subject,
        object_type="person" if invalid.subject else None,
        object_id=invalid.subject.id if invalid.subject else None,
        outcome=Outcome.REFUSED,
        reason=invalid.refusal.value,
        details={"method": SignInMethod.SINGLE_SIGN_ON.value, **invalid.details},
    )
    return SingleSignOnRefused(invalid.refusal)


def start_sign_in(db: Session, settings: Settings, actor: Actor, next_path: str) -> Authorisation:
    """The provider's authorisation address with a fresh state, nonce and PKCE challenge."""
    try:
        metadata = provider_metadata(settings)
    except Invalid as invalid:
        raise _refuse(db, actor, invalid) from invalid
    pending = _Pending(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        next=next_path,
    )
    with _oauth_client(settings, metadata) as client:
        url, _state = client.create_authorization_url(
            metadata["authorization_endpoint"],
            state=pending.state,
            nonce=pending.nonce,
            code_verifier=pending.code_verifier,
        )
    return Authorisation(url=url, cookie=_seal(settings, pending))


def finish_sign_in(
    db: Session,
    settings: Settings,
    actor: Actor,
    *,
    sealed: str | None,
    callback: Mapping[str, str],
    replaces: UserSession | None = None,
) -> SignedIn:
    """Check everything the provider sent back, match the person, and start a complete session.

    Every refusal is audited once, then raised as SingleSignOnRefused.
    """
    try:
        pending = _unseal(settings, sealed)
        if not same(callback.get("state", ""), pending.state):
            raise Invalid(Refusal.WRONG_STATE)
        if "iss" in callback and callback["iss"].rstrip("/") != _issuer(settings):
            raise Invalid(Refusal.WRONG_ISSUER)  # a mix-up between providers (RFC 9207)
        if callback.get("error") or not callback.get("code"):
            raise Invalid(Refusal.NOT_COMPLETED, details={"provider_error": _error_code(callback)})
        metadata = provider_metadata(settings)
        id_token = _exchange_code(settings, metadata, callback["code"], pending.code_verifier)
        claims = _validated_claims(settings, metadata, id_token, pending.nonce)
        person = _matching_person(db, settings, claims)
    except Invalid as invalid:
        raise _refuse(db, actor, invalid) from invalid
    details: dict[str, Any] = {"method": SignInMethod.SINGLE_SIGN_ON.value}
    if person.sso_subject is None:
        person.sso_subject = _subject(settings, claims)
        db.add(person)
        details["identity_linked"] = True
    token = start_session(
        db,
        person,
        SignInMethod.SINGLE_SIGN_ON,
        second_factor_done=True,
        client_address=actor.client_address,
        replaces=replaces,
    )
    audit.record(
        db,
        actor,
        "sign_in.succeeded",
        subject=person,
        object_type="person",
        object_id=person.id,
        details=details,
    )
    return SignedIn(person, token, pending.next)


def _error_code(callback: Mapping[str, str]) -> str:
    """The provider's error code (RFC 6749 4.1.2.1) for the audit trail; anything else is not kept."""
    error = callback.get("error", "")
    return error if re.fullmatch(r"[a-z_]{1,64}", error) else "other" if error else "no code"


def _exchange_code(settings: Settings, metadata: Mapping[str, Any], code: str, code_verifier: str) -> str:
    """Trade the code for tokens at the token endpoint, authenticated as this client, with PKCE."""
    try:
        with _oauth_client(settings, metadata) as client:
            tokens = client.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
            )
    except (AuthlibBaseError, httpx.HTTPError, ValueError) as error:
        raise Invalid(Refusal.NOT_COMPLETED, details={"provider_error": "token exchange failed"}) from error
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise Invalid(Refusal.MALFORMED_TOKEN)
    return id_token


def _decode(id_token: str, keys: KeySet, algorithms: list[str]) -> jwt.Token:
    try:
        return jwt.decode(id_token, keys, algorithms=algorithms)
    except (BadSignatureError, UnsupportedAlgorithmError, MissingAlgorithmError) as error:
        raise Invalid(Refusal.BAD_SIGNATURE) from error
    except InvalidKeyIdError:
        raise
    except (JoseError, ValueError) as error:
        raise Invalid(Refusal.MALFORMED_TOKEN) from error


def _validated_claims(
    settings: Settings, metadata: Mapping[str, Any], id_token: str, nonce: str
) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, times and nonce all check out."""
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [algorithm for algorithm in SIGNING_ALGORITHMS if algorithm in offered]
    jwks_uri = str(metadata["jwks_uri"])
    try:
        token = _decode(id_token, _signing_keys(jwks_uri), algorithms)
    except InvalidKeyIdError:
        # The provider may have rotated its keys since we last fetched them: fetch once more.
        try:
            token = _decode(id_token, _signing_keys(jwks_uri, refresh=True), algorithms)
        except InvalidKeyIdError as error:
            raise Invalid(Refusal.BAD_SIGNATURE) from error
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": _issuer(settings)},
        aud={"essential": True, "value": settings.oidc_client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    by_claim = {
        "iss": Refusal.WRONG_ISSUER,
        "aud": Refusal.WRONG_AUDIENCE,
        "exp": Refusal.EXPIRED_TOKEN,
        "iat": Refusal.EXPIRED_TOKEN,
        "nbf": Refusal.EXPIRED_TOKEN,
        "nonce": Refusal.WRONG_NONCE,
    }
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise Invalid(Refusal.EXPIRED_TOKEN) from error
    except ClaimError as error:
        raise Invalid(by_claim.get(error.claim, Refusal.MALFORMED_TOKEN)) from error
    if not isinstance(claims["sub"], str) or len(_subject(settings, claims)) > MAX_SUBJECT_LENGTH:
        raise Invalid(Refusal.MALFORMED_TOKEN)
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != settings.oidc_client_id:
        raise Invalid(Refusal.WRONG_AUDIENCE)  # OpenID Connect Core 3.1.3.7, rule 4 and 5
    return claims


def _matching_person(db: Session, settings: Settings, claims: Mapping[str, Any]) -> Person:
    """The invited member of staff with this verified e-mail address; nobody is created here.

    The first sign-in links the person to their organisation's identity; later ones must match it.
    """
    email = str(claims.get("email") or "").strip().lower()
    verified = claims.get("email_verified") in (True, "true")
    if not email or not verified:
        details = {"email_digest": digest(email)} if email else {}
        raise Invalid(Refusal.EMAIL_NOT_VERIFIED, details=details)
    person = find_by_email(db, email)
    if person is None:
        raise Invalid(Refusal.UNKNOWN_PERSON, details={"email_digest": digest(email)})
    if not person.is_active:
        raise Invalid(Refusal.DEACTIVATED, person)
    if not person.is_staff:
        raise Invalid(Refusal.NOT_STAFF, person)
    subject = _subject(settings, claims)
    if person.sso_subject is not None and not same(person.sso_subject, subject):
        raise Invalid(Refusal.LINKED_ELSEWHERE, person)
    if person.sso_subject is None:
        holder = db.exec(select(Person).where(Person.sso_subject == subject)).first()
        if holder is not None:
            raise Invalid(Refusal.LINKED_ELSEWHERE, person)
    return person


def _subject(settings: Settings, claims: Mapping[str, Any]) -> str:
    """Who the person is at their organisation, for good: the issuer and its `sub` together."""
    return f"{_issuer(settings)}|{claims['sub']}"
