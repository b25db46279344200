"""CSRF tokens bound to the browser: to its session when signed in, else to a random cookie.

A token is an HMAC of that binding, so it changes at sign-in with the session and cannot be
made without the server's secret. Each page gets the HMAC masked with a fresh random mask, so
that no two responses carry the same token: pages are compressed, and a secret repeated in
compressed responses could be guessed from their sizes (BREACH).
"""

import hashlib
import hmac
import secrets

from app.services.auth.secrets import same

_MASK_BYTES = 32


def _binding_mac(secret_key: str, binding: str) -> bytes:
    return hmac.new(secret_key.encode(), f"csrf:{binding}".encode(), hashlib.sha256).digest()


def csrf_token(secret_key: str, binding: str) -> str:
    mask = secrets.token_bytes(_MASK_BYTES)
    masked = bytes(a ^ b for a, b in zip(mask, _binding_mac(secret_key, binding), strict=True))
    return (mask + masked).hex()


def csrf_valid(secret_key: str, binding: str, offered: str | None) -> bool:
    if not offered or not binding or len(offered) != 4 * _MASK_BYTES:
        return False
    try:
        raw = bytes.fromhex(offered)
    except ValueError:
        return False
    mask, masked = raw[:_MASK_BYTES], raw[_MASK_BYTES:]
    unmasked = bytes(a ^ b for a, b in zip(mask, masked, strict=True)).hex()
    return same(_binding_mac(secret_key, binding).hex(), unmasked)
